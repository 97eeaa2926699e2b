// Closing a ticket that was never answered needs a reason, and the resident is told it: the common
// reasons are buttons under the bot's question in the admin chat (and choices on the web page); any
// other reason is written as a reply. An answered ticket closes simply, with a confirmation.
export const CLOSE_REASONS = [
  'Đã giải quyết trực tiếp với người dân',
  'Không đủ thông tin để xử lý',
  'Không thuộc thẩm quyền của xã',
  'Người dân đã rút lại phản ánh',
] as const;

/** "tk:<uuid>:c2" → the second common reason. */
export function closeReasonButtonData(ticketId: string, index: number): string {
  return `tk:${ticketId}:c${index + 1}`;
}

export function parseCloseReasonButton(data: string): { ticketId: string; reason: string } | undefined {
  const m = /^tk:([0-9a-f-]{36}):c([1-9])$/.exec(data);
  const reason = m ? CLOSE_REASONS[Number(m[2]) - 1] : undefined;
  return m && reason ? { ticketId: m[1]!, reason } : undefined;
}

export const closeTexts = {
  ask: (code: string) => `Phiếu ${code} chưa được trả lời. Chọn lý do đóng bên dưới, hoặc trả lời tin này để ghi lý do khác; người dân sẽ được báo lý do.`,
  reasonRequired: (code: string) => `Phiếu ${code} chưa được trả lời: cần ghi lý do đóng để báo người dân.`,
  closed: (code: string, who: string, reason?: string) => `🔒 Phiếu ${code} đã đóng (${who})${reason ? `. Lý do: ${reason}` : ''}; đã báo người dân.`,
};
