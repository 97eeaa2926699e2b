// Vietnamese names for the states and actions the admin pages show; one place, so a page and the
// audit log never call the same thing by two names.
export const eventLabel: Record<string, string> = {
  created: 'Tiếp nhận tin nhắn, tạo phiếu',
  status_changed: 'Đổi trạng thái',
  classified: 'Phân loại lĩnh vực',
  assigned: 'Giao cán bộ',
  transferred: 'Chuyển xử lý',
  merged: 'Gộp phiếu trùng',
  message_in: 'Người dân nhắn thêm',
  message_out: 'Cán bộ trả lời',
  reminder_sent: 'Nhắc hạn',
  escalated: 'Chuyển lãnh đạo',
  rated: 'Người dân đánh giá',
  note: 'Ghi chú',
};

// Nhật ký: actions grouped as staff think of them; the raw action is shown when no label fits.
export const AUDIT_GROUPS: Record<string, string> = {
  'bulletin.': 'Bản tin',
  'ticket.': 'Phản ánh',
  'staff.': 'Đăng nhập, tài khoản',
  'target.': 'Nhóm nhận bản tin',
  'endpoint.': 'Cụm loa',
  'channel_account.': 'Tài khoản nhắn tin',
  'admin_chat.': 'Nhóm quản trị',
  'admin_web.': 'Trang quản trị',
};

export const AUDIT_LABELS: Record<string, string> = {
  'staff.sign_in': 'Đăng nhập',
  'staff.password_changed': 'Đổi mật khẩu',
  'staff.create': 'Thêm cán bộ',
  'staff.update': 'Sửa vai trò cán bộ',
  'staff.password_reset': 'Đặt lại mật khẩu cán bộ',
  'staff.assignments': 'Sửa phân công lĩnh vực, thôn',
  'bulletin.create': 'Soạn bản tin',
  'bulletin.edit': 'Sửa bản tin',
  'bulletin.audio': 'Tải bản ghi âm',
  'bulletin.audience': 'Chọn nơi nhận',
  'bulletin.submit': 'Gửi duyệt',
  'bulletin.approve': 'Duyệt bản tin',
  'bulletin.reject': 'Trả lại bản tin',
  'bulletin.cancel': 'Hủy bản tin',
  'bulletin.schedule': 'Lên lịch phát',
  'bulletin.reschedule': 'Dời giờ phát',
  'bulletin.send_now': 'Phát ngay',
  'bulletin.received': 'Nhận bản tin từ cấp trên',
  'bulletin.run_started': 'Bắt đầu phát',
  'bulletin.run_missed': 'Lỡ giờ phát',
  'ticket.answer': 'Trả lời phản ánh',
  'ticket.assign': 'Giao phiếu cho cán bộ',
  'ticket.transfer': 'Chuyển lĩnh vực',
  'ticket.merge': 'Gộp phiếu trùng',
  'ticket.close': 'Đóng phiếu',
  'ticket.publish_faq': 'Đưa vào hỏi đáp thường gặp',
  'admin_chat.refused': 'Từ chối thao tác trong nhóm quản trị',
  'admin_web.refused': 'Từ chối thao tác trên trang quản trị',
  'target.register': 'Đăng ký nhóm nhận bản tin',
  'target.unregister': 'Hủy đăng ký nhóm',
  'target.broken': 'Nhóm hỏng',
  'target.create': 'Thêm nhóm nhận bản tin',
  'target.update': 'Sửa nhóm nhận bản tin',
  'endpoint.broken': 'Cụm loa hỏng',
  'endpoint.create': 'Thêm cụm loa',
  'endpoint.update': 'Sửa cụm loa',
};

export const ENTITY_LABELS: Record<string, string> = { Ticket: 'Phiếu', Bulletin: 'Bản tin', Staff: 'Cán bộ', Target: 'Nhóm', Endpoint: 'Cụm loa', ChannelAccount: 'Tài khoản nhắn tin' };
export const runStatus: Record<string, string> = { due: 'đến giờ', sending: 'đang phát', done: 'đã phát xong', partly_failed: 'phát lỗi một phần', cancelled: 'đã hủy', missed: 'lỡ giờ phát' };
export const deliveryStatus: Record<string, string> = { pending: 'đang chờ', sending: 'đang gửi', sent: 'đã tới', failed: 'lỗi', cancelled: 'đã hủy', skipped: 'bỏ qua' };
export const LANGUAGES: Record<string, string> = { vi: 'Việt', bdq: 'Ba Na', sed: 'Xơ Đăng' };
export const protocolLabel: Record<string, string> = { loaxa_http: 'Giao thức Loa Xã', axis: 'Loa Axis', simulator: 'Loa mô phỏng' };
export const endpointLabel: Record<string, string> = { online: 'đang hoạt động', offline: 'mất kết nối', broken: 'hỏng', unknown: 'chưa có tín hiệu' };
export const targetLabel: Record<string, string> = { active: 'đang nhận', inactive: 'chưa kích hoạt', broken: 'hỏng' };
/** The kind of messaging account, as staff tell them apart on the Cụm loa & nhóm page. */
export const accountPlatform: Record<string, string> = { telegram: 'Telegram', zalo: 'Zalo (tài khoản cá nhân, zca-js)', zalo_bot: 'Zalo Bot', zalo_oa: 'Zalo OA', webchat: 'Web chat' };

export const accountStatus: Record<string, string> = { connected: 'đang kết nối', inactive: 'chưa dùng', logged_out: 'đã đăng xuất', kicked: 'đăng nhập ở nơi khác', suspected_ban: 'có thể bị khóa', error: 'lỗi', reconnecting: 'đang kết nối lại' };
export const classLabel: Record<string, string> = { normal: 'Thường', priority: 'Ưu tiên', emergency: 'Khẩn cấp' };
export const accountLabel: Record<string, string> = { logged_out: 'đã đăng xuất, cần đăng nhập lại bằng mã QR', kicked: 'bị đăng nhập ở nơi khác, cần đăng nhập lại', suspected_ban: 'có thể bị Zalo khóa', error: 'lỗi', reconnecting: 'đang kết nối lại' };
export const roleLabel: Record<string, string> = { admin: 'Quản trị', editor: 'Soạn tin', approver: 'Duyệt tin', responder: 'Trả lời phản ánh', viewer: 'Chỉ xem' };
