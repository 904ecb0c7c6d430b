export { SecretBox } from './secret-box';
export { TokenService, API_TOKEN_PREFIX, MCP_TOKEN_PREFIX } from './token.service';
export { CryptoModule } from './crypto.module';
