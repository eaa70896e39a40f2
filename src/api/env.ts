// Owns the API's shared Hono environment: context variables, and a router factory whose validation errors become 400s naming the field.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiPrincipal } from '../db/token.repository.ts';
import { ValidationError } from '../errors.ts';

export type ApiEnv = {
  Variables: {
    principal: ApiPrincipal;
    requestId: string;
  };
};

const TARGET_NAMES: Record<string, string> = { query: 'query parameter', param: 'path parameter', json: 'body field', header: 'header' };

export function newRouter(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const details = result.error.issues.map((i) => ({ in: result.target, path: i.path.map(String), code: i.code, message: i.message }));
      const first = details[0];
      const where = first?.path.length ? `"${first.path.join('.')}"` : '(whole body)';
      const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''} in details)` : '';
      throw new ValidationError(`invalid ${TARGET_NAMES[result.target] ?? result.target} ${where}: ${first?.message ?? 'invalid'}${more}`, details);
    },
  });
}
