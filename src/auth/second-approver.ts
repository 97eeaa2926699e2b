// The "second person" rule of everything a leader approves before residents see it (bulletins,
// surveys, province bulletins): when the commune requires it, no one approves what they wrote or
// changed themselves.
import { AppError } from '../errors.ts';

export function requireSecondPerson(p: { required: boolean; wrote: boolean; what: string; /** Who requires it, for the text; "Xã" by default. */ by?: string }): void {
  if (p.required && p.wrote) throw new AppError('FORBIDDEN', `${p.by ?? 'Xã'} yêu cầu người thứ hai duyệt: bạn không thể tự duyệt ${p.what} mình soạn hoặc đã sửa.`);
}
