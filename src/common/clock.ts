import { Injectable } from '@nestjs/common';

/**
 * The time source of the stored records (timestamps, expiry checks): one global provider, so a test
 * moves time for every module at once.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
