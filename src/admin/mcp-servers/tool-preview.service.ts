import { Injectable } from '@nestjs/common';
import { toolsForConfig } from '../../mcp/policy';
import { IntegratedAccountsService } from '../integrated-accounts/integrated-accounts.service';
import { wellFormedConfig } from './config-check';
import { ToolListDto, ToolsQueryDto } from './mcp-servers.dto';

/** A comma-separated query value as a list; a present but empty value stays an (empty, refused) list. */
const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);

/** GET /integrated-account/:id/tools: the same policy functions the MCP endpoint uses. */
@Injectable()
export class ToolPreviewService {
  constructor(private readonly accounts: IntegratedAccountsService) {}

  async preview(accountId: string, q: ToolsQueryDto): Promise<ToolListDto> {
    await this.accounts.find(accountId);
    const methods = list(q.methods);
    const tags = list(q.tags);
    const config = wellFormedConfig({
      ...(methods !== undefined ? { methods } : {}),
      ...(tags !== undefined ? { tags } : {}),
      ...(q.tool_exposure !== undefined ? { tool_exposure: q.tool_exposure } : {}),
    });
    return { result: toolsForConfig(config) };
  }
}
