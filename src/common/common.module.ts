import { Global, Module } from '@nestjs/common';
import { CursorCodec } from './cursor';
import { SelfAddress } from './self-address';

/** The common providers every module may inject: the cursor codec and the gateway's own address. */
@Global()
@Module({ providers: [SelfAddress, CursorCodec], exports: [SelfAddress, CursorCodec] })
export class CommonModule {}
