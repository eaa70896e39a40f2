// Owns the zod schemas shared by several API resources; they drive validation and the OpenAPI document alike.
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'INVALID_REQUEST' }),
      message: z.string(),
      details: z.unknown().nullable(),
    }),
  })
  .openapi('Error');

export const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((s) => new Date(s))
  .openapi({ type: 'string', format: 'date-time', example: '2017-10-31T00:00:00Z', description: 'ISO 8601 time (or a date, meaning its midnight UTC)' });

/** Comma-separated values: `kind=unanswered,sla_breach`. */
export const csvList = <T extends string>(values?: readonly [T, ...T[]]) => {
  const base = z.string().transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean));
  if (!values) return base.openapi({ type: 'string', description: 'one value or several, comma-separated' });
  return base
    .pipe(z.array(z.enum(values)))
    .openapi({ type: 'string', description: `one or several of ${values.join(', ')}, comma-separated`, example: values[0] });
};

export const limit = z.coerce.number().int().min(1).max(500).default(50).openapi({ type: 'integer', minimum: 1, maximum: 500, default: 50 });
export const cursor = z.string().max(500).optional().openapi({ description: 'next_cursor of the previous page' });

export const IdParam = z.object({ id: z.string().regex(/^\d{1,18}$/, 'expected a numeric id').openapi({ param: { name: 'id', in: 'path' }, example: '42' }) });

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable().openapi({ description: 'pass as `cursor` for the next page; null on the last page' }) }).openapi(name);

export const errorResponses = {
  400: { description: 'Invalid parameters; `details` lists each problem with its field', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing, unknown or revoked token', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'The token lacks the scope this needs', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const notFoundResponse = { 404: { description: 'Unknown id, or one outside the token’s team', content: { 'application/json': { schema: ErrorSchema } } } } as const;

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
