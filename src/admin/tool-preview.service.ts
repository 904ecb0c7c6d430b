import { Injectable } from '@nestjs/common';
import { McpToolRegistry } from '../mcp/tool-registry';
import { IntegratedAccountsService } from '../accounts/integrated-accounts.service';
import { wellFormedConfig } from '../mcp-servers/config-check';
import { ToolListDto, ToolsQueryDto } from '../mcp-servers/mcp-servers.dto';

/** A comma-separated query value as a list; a present but empty value stays an (empty, refused) list. */
const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** GET /integrated-account/:id/tools: what the MCP endpoint lists, from the same mcp-nest registry and policy. */
@Injectable()
export class ToolPreviewService {
  constructor(
    private readonly accounts: IntegratedAccountsService,
    private readonly tools: McpToolRegistry,
  ) {}

  async preview(accountId: string, q: ToolsQueryDto): Promise<ToolListDto> {
    await this.accounts.find(accountId);
    const methods = list(q.methods);
    const tags = list(q.tags);
    const config = wellFormedConfig({
      ...(methods !== undefined ? { methods } : {}),
      ...(tags !== undefined ? { tags } : {}),
      ...(q.tool_exposure !== undefined ? { tool_exposure: q.tool_exposure } : {}),
    });
    return { result: this.tools.listed(config) };
  }
}
