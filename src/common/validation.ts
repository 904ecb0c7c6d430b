import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { GatewayError } from './errors';
import { forbiddenKeyPath } from './forbidden-keys';

/** The first failing property as a dotted path with its first message, e.g. `config.methods: ...`. */
function firstProblem(errors: ValidationError[], prefix = ''): { field: string; message: string } | undefined {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const messages = Object.values(e.constraints ?? {});
    if (messages.length > 0) return { field, message: messages[0] };
    const nested = firstProblem(e.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * ValidationPipe that also refuses, for DTO bodies, what class-validator lets through silently:
 * a body that is not a JSON object (`null`, arrays, scalars validate as "nothing to check") and
 * prototype-pollution keys (class-transformer drops a `prototype` key instead of reporting it).
 */
class GatewayValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && this.toValidate(metadata)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw GatewayError.invalid('The body must be a JSON object', { field: 'body' });
      }
      const bad = forbiddenKeyPath(value);
      if (bad) throw GatewayError.invalid(`Field name not allowed: ${bad}`, { field: bad });
    }
    return super.transform(value, metadata);
  }
}

/**
 * The global ValidationPipe: class-validator DTOs, unknown body keys rejected, and every failure
 * becomes a GatewayError INVALID_INPUT (400) naming the first bad field.
 */
export function createValidationPipe(): ValidationPipe {
  return new GatewayValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors: ValidationError[]) => {
      const p = firstProblem(errors) ?? { field: errors[0]?.property ?? 'body', message: 'is invalid' };
      const message = p.message.startsWith(p.field) ? p.message : `${p.field}: ${p.message}`;
      return GatewayError.invalid(message, { field: p.field });
    },
  });
}
