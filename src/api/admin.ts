// Owns /v1/admin: creating and changing calendars, policies, teams, handles, channels and routes at run time, validated by the config file's schemas.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { calendarSchema, channelSchema, handleSchema, policySchema, routeSchema, teamSchema } from '../config.ts';
import { listConfig, upsertConfigItem, type AdminCollection } from '../db/admin.repository.ts';
import { requireGlobalAdmin } from './auth.ts';
import { newRouter } from './env.ts';
import { errorResponses } from './schemas.ts';

const SCHEMAS: Record<AdminCollection, z.ZodType> = {
  calendars: calendarSchema,
  policies: policySchema,
  teams: teamSchema,
  handles: handleSchema,
  channels: channelSchema,
  routes: routeSchema,
};

const Listing = z.object({ data: z.array(z.record(z.string(), z.unknown())) });

export function adminRoutes(deps: Deps) {
  const app = newRouter();
  app.use('/admin/*', requireGlobalAdmin());

  for (const [collection, schema] of Object.entries(SCHEMAS) as [AdminCollection, z.ZodType][]) {
    const singular = collection.slice(0, -1);
    app.openapi(
      createRoute({
        method: 'get',
        path: `/admin/${collection}`,
        tags: ['admin'],
        summary: `Stored ${collection}${collection === 'channels' ? ' (URLs and secrets are never returned)' : ''}`,
        responses: { 200: { description: `The ${collection}`, content: { 'application/json': { schema: Listing } } }, ...errorResponses },
      }),
      async (c) => c.json({ data: await listConfig(deps.db, collection) }, 200),
    );

    app.openapi(
      createRoute({
        method: 'post',
        path: `/admin/${collection}`,
        tags: ['admin'],
        summary: `Create a ${singular}, or replace the one with the same ${collection === 'handles' ? 'handle' : 'name'} (same fields as the config file)`,
        request: { body: { content: { 'application/json': { schema } }, required: true } },
        responses: {
          200: { description: 'Replaced', content: { 'application/json': { schema: z.object({ created: z.boolean(), [singular]: z.record(z.string(), z.unknown()) }) } } },
          201: { description: 'Created', content: { 'application/json': { schema: z.object({ created: z.boolean(), [singular]: z.record(z.string(), z.unknown()) }) } } },
          ...errorResponses,
        },
      }),
      async (c) => {
        const item = c.req.valid('json') as never;
        const created = await upsertConfigItem(deps.db, collection, item);
        const key = collection === 'handles' ? 'handle' : 'name';
        const stored = (await listConfig(deps.db, collection)).find((r) => String(r[key]).toLowerCase() === String((item as Record<string, unknown>)[key]).toLowerCase()) ?? {};
        deps.log.info({ collection, name: (item as Record<string, unknown>)[key], created, token: c.get('principal').tokenId }, 'configuration changed through the API');
        return c.json({ created, [singular]: stored }, created ? 201 : 200);
      },
    );
  }

  return app;
}
