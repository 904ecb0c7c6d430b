import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { CursorCodec } from './cursor';
import { SelfAddress } from './self-address';

/** The common providers every module may inject: the clock, the cursor codec and the gateway's own address. */
@Global()
@Module({ providers: [Clock, SelfAddress, CursorCodec], exports: [Clock, SelfAddress, CursorCodec] })
export class CommonModule {}
