// A removed channel account keeps its row (tickets and deliveries point at it) with its status
// 'inactive' and its token forgotten: it is no channel any more. The one rule, as a row test and
// as a query filter, for the admin chats, the doctor and the onboarding checklist alike.
import type { Prisma } from '../db/generated/client.ts';

export const notRemovedAccount = { NOT: { status: 'inactive', credentialsEnc: null } } satisfies Prisma.ChannelAccountWhereInput;

export const isRemovedAccount = (r: { status: string; credentialsEnc: string | null }): boolean => r.status === 'inactive' && r.credentialsEnc === null;
