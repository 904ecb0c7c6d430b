import { Module } from '@nestjs/common';
import { SecretBox } from './secret-box';
import { TokenService } from './token.service';

@Module({ providers: [SecretBox, TokenService], exports: [SecretBox, TokenService] })
export class CryptoModule {}
