import { Module } from '@nestjs/common';
import { McpModule as McpNestModule } from './mcp-nest';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { InsightsModule } from '../insights/insights.module';
import { McpServersModule } from '../mcp-servers/mcp-servers.module';
import { OAuthModule } from '../oauth/oauth.module';
import { PlanhatModule } from '../planhat/planhat.module';
import { UnifiedModule } from '../unified/unified.module';
import { INSTRUCTIONS } from './instructions';
import { McpAccessService, SERVER_INFO } from './mcp-access.service';
import { McpController } from './mcp.controller';
import { ConformanceFixture } from './conformance-fixture';
import { McpToolsService } from './mcp-tools.service';
import { CsPrompts } from './prompts';
import { CsResources } from './resources';
import { McpPolicyGuard } from './policy.guard';
import { streamedResponse } from './notifications';
import { McpHooksModule, McpServerHooks } from './server-hooks';
import { McpToolRegistry } from './tool-registry';
import { InsightTools, NativeTools, SafetyTools, UnifiedTools } from './tools/catalog.tools';
import { AuditModule } from '../audit/audit.module';
import { DiscoveryTools, ModelActionTools } from './tools/meta.tools';
import { UnifiedToolRunner } from './unified-runner';

/**
 * MCP servers (docs/contract.md §5) on @rekog/mcp-nest: /mcp/:token over Streamable HTTP and legacy SSE
 * (McpController, the gateway's own routes), the tools declared with mcp-nest's decorators
 * (tools/catalog.tools.ts generates them from the Planhat catalog and the unified resources,
 * tools/meta.tools.ts holds the hand-written meta-tools), each server's stored policy enforced by
 * McpPolicyGuard, and the gateway's hooks into each mcp-nest server (server-hooks.ts).
 *
 * `forRootAsync` registers no controller and starts no transport of its own: mcp-nest's built-in
 * controllers (`/mcp`, `/sse`, `/messages`, no URL token) and its STDIO transport (which bypasses
 * every guard) are never mounted; only the gateway's token routes reach mcp-nest.
 */
@Module({
  imports: [
    AuditModule,
    IdempotencyModule,
    InsightsModule,
    McpServersModule,
    OAuthModule,
    PlanhatModule,
    UnifiedModule,
    McpHooksModule,
    McpNestModule.forRootAsync({
      imports: [McpHooksModule],
      inject: [McpServerHooks],
      useFactory: (hooks: McpServerHooks) => ({
        ...SERVER_INFO,
        instructions: INSTRUCTIONS,
        capabilities: {
          tools: { listChanged: false },
          prompts: { listChanged: false },
          logging: {},
          resources: { listChanged: false },
          completions: {},
        },
        // One JSON body per POST, except when the answer may carry progress or log notifications
        // (notifications.ts): mcp-nest reads this when it builds each request's transport.
        streamableHttp: {
          statelessMode: true,
          get enableJsonResponse() {
            return streamedResponse.getStore() === undefined;
          },
        },
        serverMutator: hooks.mutate,
        logging: { level: ['error'] },
      }),
    }),
  ],
  controllers: [McpController],
  providers: [
    McpAccessService,
    McpToolsService,
    UnifiedToolRunner,
    McpToolRegistry,
    McpPolicyGuard,
    NativeTools,
    UnifiedTools,
    InsightTools,
    SafetyTools,
    DiscoveryTools,
    ModelActionTools,
    CsPrompts,
    CsResources,
    ConformanceFixture,
  ],
  exports: [McpToolsService, McpToolRegistry],
})
export class McpModule {}
