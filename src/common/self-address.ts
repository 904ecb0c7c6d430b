import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/**
 * Where this process can be reached over loopback, known once the server listens. The embedded
 * sandbox is called through it over real HTTP, and PUBLIC_URL follows the bound port when derived.
 */
@Injectable()
export class SelfAddress {
  private port?: number;

  constructor(private readonly config: AppConfig) {}

  setListening(port: number): void {
    this.port = port;
    if (this.config.publicUrlDerived) this.config.publicUrl = `http://localhost:${port}`;
  }

  /** Base URL of the embedded sandbox (or the standalone one from SANDBOX_BASE_URL). */
  sandboxBaseUrl(): string {
    if (this.config.sandbox.baseUrl) return this.config.sandbox.baseUrl;
    const port = this.port ?? this.config.port;
    const host = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(this.config.host)
      ? '127.0.0.1'
      : this.config.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}/sandbox/planhat`;
  }

  publicUrl(): string {
    return this.config.publicUrl;
  }
}
