// Labels of a province bulletin's states and of each commune's side of it (web admin, API, errors).
import type { ProvinceBulletinStatus, ProvinceDispatchStatus } from '../db/generated/enums.ts';

export const provinceBulletinStatusLabel: Record<ProvinceBulletinStatus, string> = {
  submitted: 'Chờ duyệt',
  approved: 'Đã duyệt',
  rejected: 'Bị trả lại',
  withdrawn: 'Tỉnh đã thu hồi',
};

export const dispatchStatusLabel: Record<ProvinceDispatchStatus, string> = {
  waiting: 'Chờ xã xem (có thể từ chối)',
  declined: 'Xã đã từ chối',
  scheduled: 'Đã vào lịch phát của xã',
  sent: 'Đã phát ngay',
  withdrawn: 'Tỉnh đã thu hồi',
};

export const NOT_FOUND_TEXT = 'Không tìm thấy bản tin của tỉnh.';

/** "07:30 03/12/2026" in the commune's time zone. */
export function localTimeText(at: Date, tz: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}
