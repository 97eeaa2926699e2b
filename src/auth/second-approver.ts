// The "second person" rule of everything a leader approves before residents see it (bulletins,
// surveys): when the commune requires it, no one approves what they wrote or changed themselves.
import { AppError } from '../errors.ts';

export function requireSecondPerson(p: { required: boolean; wrote: boolean; what: string }): void {
  if (p.required && p.wrote) throw new AppError('FORBIDDEN', `Xã yêu cầu người thứ hai duyệt: bạn không thể tự duyệt ${p.what} mình soạn hoặc đã sửa.`);
}
