import { Injectable } from '@nestjs/common';
import { UnifiedService } from '../unified/unified.service';
import type { UnifiedTool } from './policy';
import { LIST_BUDGET_BYTES } from './mcp-tools.service';

/** Runs a unified MCP tool through UnifiedService (arguments already validated by the tool's schema). */
@Injectable()
export class UnifiedToolRunner {
  constructor(private readonly unified: UnifiedService) {}

  async run(accountId: string, tool: UnifiedTool, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { api, resource } = tool.unified;
    switch (tool.op) {
      case 'list': {
        const page = (await this.unified.list(api, resource, accountId, args, { maxBytes: LIST_BUDGET_BYTES })).data;
        return { result: page.result, next_cursor: page.next_cursor };
      }
      case 'get': {
        const { id, ...query } = args;
        return (await this.unified.get(api, resource, accountId, String(id), query)).data as Record<string, unknown>;
      }
      case 'create':
        return (await this.unified.create(api, resource, accountId, args)).data as Record<string, unknown>;
      case 'update': {
        const { id, ...body } = args;
        return (await this.unified.update(api, resource, accountId, String(id), body)).data as Record<string, unknown>;
      }
      case 'delete':
        return (await this.unified.delete(api, resource, accountId, String(args.id))).data;
    }
  }
}
