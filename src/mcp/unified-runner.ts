import { Injectable } from '@nestjs/common';
import { UnifiedService } from '../unified/unified.service';
import type { UnifiedTool } from '../mcp-servers/policy';
import { LIST_BUDGET_BYTES, listOutput, type ToolOutput } from './results';

const NO_REMOTE_DATA = { include_remote_data: false };

/**
 * Runs a unified MCP tool through UnifiedService (arguments already validated by the tool's schema).
 * Records come without `remote_data` unless a read asks for it with `include_remote_data: true`
 * (writes answer the unified record alone), unlike the REST unified API, whose default includes it.
 */
@Injectable()
export class UnifiedToolRunner {
  constructor(private readonly unified: UnifiedService) {}

  async run(accountId: string, tool: UnifiedTool, args: Record<string, unknown>): Promise<ToolOutput> {
    const { api, resource } = tool.unified;
    switch (tool.op) {
      case 'list': {
        const page = await this.unified.list(
          api,
          resource,
          accountId,
          { ...args, include_remote_data: args.include_remote_data === true },
          { maxBytes: LIST_BUDGET_BYTES },
        );
        return listOutput(page.data, page.resultChunks);
      }
      case 'get': {
        const { id, include_remote_data } = args;
        return {
          data: (
            await this.unified.get(api, resource, accountId, String(id), {
              include_remote_data: include_remote_data === true,
            })
          ).data as Record<string, unknown>,
        };
      }
      case 'create':
        return {
          data: (await this.unified.create(api, resource, accountId, args, NO_REMOTE_DATA)).data as Record<
            string,
            unknown
          >,
        };
      case 'update': {
        const { id, dry_run, ...body } = args;
        const query = dry_run === undefined ? NO_REMOTE_DATA : { ...NO_REMOTE_DATA, dry_run };
        return {
          data: (await this.unified.update(api, resource, accountId, String(id), body, query)).data as Record<
            string,
            unknown
          >,
        };
      }
      case 'delete': {
        const query = args.dry_run === undefined ? {} : { dry_run: args.dry_run };
        return {
          data: (await this.unified.delete(api, resource, accountId, String(args.id), query)).data as Record<
            string,
            unknown
          >,
        };
      }
    }
  }
}
