import { Injectable } from '@nestjs/common';

/** The time source of the admin module (expiry checks, timestamps); tests replace it with one provider line. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
