import { Injectable } from '@nestjs/common';
import { UnifiedService } from '../unified/unified.service';
import type { UnifiedTool } from './policy';
import { LIST_BUDGET_BYTES, listOutput, type ToolOutput } from './results';

/** Runs a unified MCP tool through UnifiedService (arguments already validated by the tool's schema). */
@Injectable()
export class UnifiedToolRunner {
  constructor(private readonly unified: UnifiedService) {}

  async run(accountId: string, tool: UnifiedTool, args: Record<string, unknown>): Promise<ToolOutput> {
    const { api, resource } = tool.unified;
    switch (tool.op) {
      case 'list': {
        const page = await this.unified.list(api, resource, accountId, args, { maxBytes: LIST_BUDGET_BYTES });
        return listOutput(page.data, page.resultChunks);
      }
      case 'get': {
        const { id, ...query } = args;
        return { data: (await this.unified.get(api, resource, accountId, String(id), query)).data as Record<string, unknown> };
      }
      case 'create':
        return { data: (await this.unified.create(api, resource, accountId, args)).data as Record<string, unknown> };
      case 'update': {
        const { id, dry_run, ...body } = args;
        return { data: (await this.unified.update(api, resource, accountId, String(id), body, dry_run === undefined ? {} : { dry_run })).data as Record<string, unknown> };
      }
      case 'delete': {
        const query = args.dry_run === undefined ? {} : { dry_run: args.dry_run };
        return { data: (await this.unified.delete(api, resource, accountId, String(args.id), query)).data as Record<string, unknown> };
      }
    }
  }
}
