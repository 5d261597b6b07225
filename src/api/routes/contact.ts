import type Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { text } from '../validate.js';
import { pathId } from '../params.js';
import { IdString } from '../openapi/schemas.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { notFound } from '../../lib/errors.js';
import { CONTACT_MESSAGE_MAX, CONTACT_NAME_MAX, loadContactStatus, storeContactMessage } from '../../domain/contact.js';

const ContactBody = z.strictObject({
  name: text(CONTACT_NAME_MAX, { control: 'none' }),
  // The address as a browser's <input type="email"> accepts it, checked as sent.
  email: z.string().max(254).regex(z.regexes.html5Email, 'must be an email address'),
  message: text(CONTACT_MESSAGE_MAX, { control: 'lines' }),
});
const DeliveryStatus = z.enum(['queued', 'sent', 'failed']);
const Queued = z.strictObject({ id: IdString, status: DeliveryStatus });
const ContactStatus = z.strictObject({ id: IdString, status: DeliveryStatus, attempts: z.number().int(), lastError: z.string().nullable() });

/** The contact form (stored, then mailed by a workflow) and its delivery status for admins. */
export function contactRoutes(deps: AppDeps): Router {
  const api = new ApiRouter(deps, { prefix: '/api/v1', tag: 'Contact' });
  const limit = rateLimit(deps, { name: 'contact', points: deps.config.CONTACT_RATE_LIMIT, windowS: 60 });

  api.post('/contact', { summary: 'Send a message to the site (stored, then mailed in the background)', limit, body: ContactBody, responses: { 202: Queued } }, async (ctx, { body }) => {
    const { contact } = await storeContactMessage(deps.db, body, { clientIp: ctx.ip, requestId: String(ctx.state.requestId) });
    ctx.status = 202;
    ctx.body = { id: String(contact.id), status: contact.status };
  });

  api.get(
    '/admin/contact/:id',
    { summary: "A contact message's delivery status", auth: 'admin', params: z.object({ id: pathId }), notFound: 'Contact message', responses: { 200: ContactStatus } },
    async (ctx, { params }) => {
      const status = await loadContactStatus(deps.db, params.id);
      if (!status) throw notFound('Contact message');
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = status;
    },
  );

  return api.router;
}
