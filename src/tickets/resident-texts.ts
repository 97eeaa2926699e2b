// What residents read. Plain, polite Vietnamese for people who may be elderly, in the form of
// address the commune chose; no jargon, the ticket code always spelled out so it can be read over
// the phone.
import { statusLabel, type TicketStatus } from './ticket-status.ts';
import { DEFAULT_TIME_ZONE } from '../calendar/time-zone.ts';
import { voiceFor, type Voice } from './texts/voice.ts';

export const CONSENT_VERSION = '2026-11';

/**
 * Every text for residents, in the commune's form of address and for the channel family it goes
 * to (src/tickets/texts/voice.ts). Words are the same everywhere: "câu hỏi, phản ánh", "Ủy ban".
 */
export function residentTextsFor(v: Voice) {
  const { you, you_ } = v;
  return {
    consent: (communeName: string) =>
      `Xin chào ${you_}! Đây là kênh tiếp nhận câu hỏi, phản ánh của ${communeName}.\n\n` +
      `Để trả lời ${you_}, Ủy ban cần lưu tên hiển thị, tin nhắn và ảnh ${you_} gửi (theo Luật Bảo vệ dữ liệu cá nhân). ` +
      `Thông tin chỉ dùng để xử lý câu hỏi, phản ánh; ${you_} có thể xem lại bằng /dulieucuatoi và yêu cầu xoá bằng /xoadulieu.\n\n` +
      `${you} có đồng ý không? Xin ${v.choose('Tôi đồng ý', 1)}, hoặc gõ: đồng ý.`,
    consentThanks: `Ủy ban cảm ơn ${you_}. Xin mời ${you_} gửi câu hỏi hoặc phản ánh; nếu có ảnh, xin gửi kèm luôn.`,
    consentHeld: `Tin nhắn của ${you_} đã được giữ lại và sẽ được chuyển ngay khi ${you_} đồng ý.`,
    help:
      'Cách dùng:\n' +
      '• Gửi tin nhắn (kèm ảnh nếu có) để hỏi hoặc phản ánh. Mỗi câu hỏi, phản ánh có một mã số.\n' +
      '• /tracuu <mã> — xem tình trạng, ví dụ: /tracuu PA-2026-00123 (hoặc chỉ gửi mã).\n' +
      '• /moi — bắt đầu một câu hỏi, phản ánh mới.\n' +
      '• /dangky — nhận bản tin của thôn qua tin nhắn riêng; /huy (hoặc gõ: dừng) — thôi nhận.\n' +
      `• /dulieucuatoi — xem dữ liệu của ${you_}; /xoadulieu — xoá dữ liệu cá nhân.`,
    ask: `Xin mời ${you_} gửi câu hỏi hoặc phản ánh (có thể kèm ảnh).`,
    newTicketNext: `Tin nhắn tiếp theo của ${you_} sẽ được ghi thành một câu hỏi, phản ánh mới.`,
    acknowledged: (p: { code: string; category: string; dueText: string }) =>
      `Ủy ban đã nhận câu hỏi, phản ánh của ${you_}.\nMã số: ${p.code}\nLĩnh vực: ${p.category}\nHạn trả lời: ${p.dueText}\n\n` +
      `${you} có thể gửi thêm thông tin, ảnh vào đây; gõ /tracuu để xem tình trạng.`,
    followUpJoined: (code: string) => `Đã bổ sung vào phản ánh ${code}.`,
    // Small talk: answered, never a ticket by itself (src/tickets/understanding/small-talk.ts).
    greeting: `Xin chào ${you_}! Đây là kênh tiếp nhận câu hỏi, phản ánh của Ủy ban. Xin mời ${you_} gửi nội dung cần hỏi hoặc phản ánh (có thể kèm ảnh).`,
    thanks: `Ủy ban cảm ơn ${you_}. Nếu cần hỏi thêm, xin ${you_} cứ gửi tin nhắn vào đây.`,
    consentRepeat: `Ủy ban đã ghi nhận sự đồng ý của ${you_}. Xin mời ${you_} gửi câu hỏi hoặc phản ánh (có thể kèm ảnh).`,
    declined: `Ủy ban đã ghi nhận. Khi cần hỏi hoặc phản ánh, xin ${you_} cứ gửi tin nhắn vào đây.`,
    askVillage: (code: string) => `Để chuyển đúng cán bộ phụ trách phản ánh ${code}, xin ${you_} cho biết sự việc ở thôn (xóm, tổ) nào, ví dụ: Thôn 3.`,
    villageNoted: (code: string, village: string) => `Đã ghi nhận: phản ánh ${code} ở ${village}.`,
    denunciationNotice:
      'Lưu ý: tin nhắn qua kênh này được tiếp nhận như một phản ánh, chưa phải đơn tố cáo theo Luật Tố cáo. ' +
      `Nếu muốn tố cáo chính thức, ${you_} gửi đơn có chữ ký (ghi rõ họ tên, địa chỉ) tới bộ phận tiếp công dân của Ủy ban xã, ` +
      `hoặc trình bày trực tiếp tại buổi tiếp công dân. Danh tính của ${you_} chỉ cán bộ được giao xử lý biết.`,
    answered: (code: string, answer: string) => `Trả lời phản ánh ${code}:\n\n${answer}`,
    faqOffer: (question: string, answer: string) =>
      `Xã đã trả lời một câu hỏi tương tự:\n\n„${question}“\n\n${answer}\n\nNếu chưa đúng ý ${you_}, cán bộ vẫn sẽ trả lời riêng phản ánh này.`,
    rateQuestion: `${you} có hài lòng với câu trả lời không?`,
    rateThanks: `Ủy ban cảm ơn ${you_} đã đánh giá.`,
    reopened: (code: string) => `Phản ánh ${code} đã được chuyển lại lãnh đạo xã để xem xét thêm.`,
    statusChanged: (code: string, status: TicketStatus, note?: string) => `Phản ánh ${code}: ${statusLabel[status]}${note ? `\n${note}` : ''}`,
    rejected: (code: string, reason: string) => `Phản ánh ${code} không được tiếp nhận. Lý do: ${reason}`,
    // Closing: with the reason when it was never answered, a thank-you when it was.
    closedWithReason: (code: string, reason: string) =>
      `Phản ánh ${code} đã được Ủy ban đóng lại. Lý do: ${reason}.\nNếu ${you_} cần hỏi thêm, xin gửi tin nhắn mới vào đây.`,
    closedAnswered: (code: string) => `Phản ánh ${code} đã hoàn tất. Ủy ban cảm ơn ${you_} đã gửi câu hỏi, phản ánh.`,
    transferred: (code: string, note: string) => `Phản ánh ${code} đã được chuyển xử lý: ${note}`,
    duplicateOf: (code: string, other: string) => `Phản ánh ${code} trùng với phản ánh ${other}; câu trả lời sẽ có ở phản ánh ${other}.`,
    // "Dân hỏi – Lãnh đạo trả lời": the question asked goes on the loudspeakers (without the name).
    qaOnAir: (code: string, when: string | null) =>
      `Câu hỏi ${code} của ${you_} đã được chọn vào chuyên mục "Dân hỏi – Lãnh đạo trả lời" (không nêu tên người hỏi). ` +
      (when ? `Chuyên mục phát trên loa truyền thanh của xã lúc ${when}. Mời ${you_} đón nghe.` : `Chuyên mục đang được phát trên loa truyền thanh của xã.`),
    qaRescheduled: (code: string, when: string) =>
      `Chuyên mục "Dân hỏi – Lãnh đạo trả lời" có câu hỏi ${code} của ${you_} đã đổi giờ phát: nay phát trên loa truyền thanh của xã lúc ${when}. Mời ${you_} đón nghe.`,
    qaCancelled: (code: string) =>
      `Chuyên mục "Dân hỏi – Lãnh đạo trả lời" có câu hỏi ${code} của ${you_} đã được hủy, không phát như đã báo. Ủy ban xin lỗi ${you_} vì sự thay đổi này.`,
    trackNotFound: (code: string) => `Không tìm thấy phản ánh ${code} của ${you_}. Xin ${you_} kiểm tra lại mã số.`,
    trackUsage: `Xin ${you_} gửi kèm mã phản ánh, ví dụ: /tracuu PA-2026-00123`,
    empty: `Tin nhắn chưa có nội dung. Xin ${you_} gõ câu hỏi hoặc gửi ảnh.`,
    unsupported: `Hiện hệ thống chỉ nhận chữ và ảnh. Xin ${you_} gõ nội dung bằng chữ giúp Ủy ban.`,
    tooLong: (max: number) => `Tin nhắn dài quá (tối đa ${max} ký tự). Xin ${you_} chia thành vài tin ngắn hơn.`,
    photoTooLarge: (mb: number) => `Ảnh lớn quá (tối đa ${mb} MB). Xin ${you_} gửi ảnh nhỏ hơn.`,
    rateLimited: `${you} gửi hơi nhanh. Xin chờ một lát rồi gửi tiếp; các tin trước đã được ghi nhận.`,
    unknownCommand: 'Lệnh này chưa có. Gõ /huongdan để xem cách dùng.',
    // Subscriptions: bulletins of a village in this private chat (src/subscriptions/).
    subscribeChooseVillage: (communeName: string) => `Nhận bản tin của ${communeName} qua tin nhắn riêng. Xin ${you_} chọn thôn (xóm, tổ) muốn nhận tin:`,
    subscribeUnknownVillage: (text: string) => `Không tìm thấy thôn "${text.slice(0, 60)}" trong xã. Xin ${you_} chọn một trong các thôn dưới đây:`,
    subscribeChooseTopics: (village: string) => `${village}: ${you_} muốn nhận tin về chủ đề nào?`,
    subscribeAllTopics: 'Tất cả các tin',
    subscribed: (village: string, topics: string) =>
      `✅ Đã đăng ký: ${you} sẽ nhận bản tin của ${village} (${topics}) qua tin nhắn này.\n` +
      `Gõ /dangky để thêm thôn khác; gõ /huy hoặc "dừng" để thôi nhận bất cứ lúc nào.`,
    unsubscribed: `Đã dừng: ${you} sẽ không nhận bản tin qua tin nhắn riêng nữa, kể cả các tin đang chờ gửi. Muốn nhận lại, xin gõ /dangky.`,
    notSubscribed: `${you} chưa đăng ký nhận bản tin qua tin nhắn riêng. Muốn nhận, xin gõ /dangky.`,
    subscribeNoVillages: `Xã chưa có danh sách thôn để đăng ký nhận tin. Xin ${you_} theo dõi bản tin trên loa và các nhóm của xã.`,
    subscribeChannelUnsupported: `Kênh này chưa gửi được bản tin riêng. Xin ${you_} đăng ký qua Zalo OA, Zalo Bot hoặc Telegram của xã.`,
    subscribeVillageRefused: `Thôn này không thuộc xã của kênh này. Xin ${you_} gõ /dangky để chọn lại.`,
    myDataHeader: `Dữ liệu Ủy ban đang lưu về ${you_}:`,
    eraseConfirm:
      `${you} muốn xoá dữ liệu cá nhân? Tên, thôn, đăng ký nhận tin, các tin nhắn và ảnh ${you_} đã gửi sẽ bị xoá; các câu hỏi, phản ánh đang mở sẽ được đóng lại. ` +
      `Việc này không hoàn tác được. Xin ${v.choose('Xoá dữ liệu của tôi', 1)} để xác nhận, hoặc ${v.choose('Không xoá', 2)}.`,
    eraseKept: `Ủy ban giữ nguyên dữ liệu của ${you_}.`,
    erased: `Đã xoá dữ liệu cá nhân của ${you_}. Các câu hỏi, phản ánh vẫn được giữ (không còn tên) để thống kê. Nếu gửi tin nhắn mới, Ủy ban sẽ hỏi lại sự đồng ý.`,
    // Satisfaction surveys (src/surveys): the invitation, each question, and what an answer gets back.
    surveyInvite: (p: { communeName: string; title: string; intro: string; closes: string; link: string }) =>
      `📋 ${p.communeName} mời ${you_} tham gia khảo sát: ${p.title}\n${p.intro ? `${p.intro}\n` : ''}` +
      `${you} trả lời ngay dưới đây, hoặc trên trang: ${p.link}\n(Đường dẫn riêng của ${you_}, mở được trên điện thoại khác của ${you_}; xin đừng chuyển cho người khác.)\n` +
      `Khảo sát mở đến ${p.closes}; ${you_} có thể đổi câu trả lời đến lúc đó.`,
    surveyTextPrompt: (max: number) => `Xin ${you_} trả lời bằng một tin nhắn (tối đa ${max} ký tự).`,
    surveySkip: 'Bỏ qua',
    surveyThanks: (closes: string) => `Ủy ban cảm ơn ${you_} đã trả lời khảo sát. ${you} có thể đổi câu trả lời đến ${closes}.`,
    surveyNoted: 'Đã ghi nhận câu trả lời.',
    surveyChanged: 'Đã đổi câu trả lời.',
    surveyClosed: `Khảo sát đã kết thúc. Ủy ban cảm ơn ${you_} đã quan tâm.`,
    surveyNotOpen: 'Khảo sát chưa mở. Xin mời quay lại sau.',
    surveyNotInvited: `Khảo sát này không dành cho tài khoản của ${you_}.`,
    surveyRequired: `Câu hỏi này bắt buộc, xin ${you_} trả lời.`,
    surveyEmpty: `Câu trả lời chưa có nội dung. Xin ${you_} gõ câu trả lời.`,
    surveyTooLong: (max: number) => `Câu trả lời dài quá (tối đa ${max} ký tự). Xin ${you_} viết ngắn lại.`,
    surveyInvalid: `Lựa chọn không hợp lệ. Xin ${you_} chọn lại.`,
    // Zalo Bot Platform: its terms require the bot to say it is one; protected users' messages
    // reach the bot without their content.
    botDisclosure: `🤖 ${you} đang nhắn với trợ lý tự động (bot) của Ủy ban. Câu hỏi, phản ánh của ${you_} được chuyển tới cán bộ phụ trách để trả lời.`,
    // Zalo OA: an anonymous sender can neither consent nor be answered later.
    oaAnonymousRefused:
      `Ủy ban chưa nhận câu hỏi gửi ẩn danh qua Zalo OA vì không thể trả lời lại cho ${you_}. ` +
      `Xin ${you_} nhắn bằng tài khoản Zalo của mình (thông tin chỉ dùng để trả lời câu hỏi, phản ánh), hoặc gửi qua trang hỏi đáp của xã.`,
    protectedUser: (webChatUrl: string | undefined) =>
      `Tài khoản Zalo của ${you_} đang bật chế độ bảo vệ nên Ủy ban không đọc được tin nhắn này. ` +
      (webChatUrl ? `${you} có thể gửi câu hỏi qua trang hỏi đáp của xã: ${webChatUrl}` : `${you} có thể gửi câu hỏi qua trang hỏi đáp trên trang web của xã.`),
  } as const;
}

export type ResidentTexts = ReturnType<typeof residentTextsFor>;

/** The texts of a commune that chose nothing ("Ông/Bà"), for Telegram. */
export const residentTexts: ResidentTexts = residentTextsFor(voiceFor(null));

/** "15:30 ngày 02/12/2026" in the commune's time zone. */
export function formatDue(date: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('vi-VN', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('hour')}:${get('minute')} ngày ${get('day')}/${get('month')}/${get('year')}`;
}

/** The texts for a resident of this commune writing on this platform. */
export async function residentTextsOf(tx: { commune: { findUnique(a: { where: { id: string }; select: { settings: true } }): Promise<{ settings: unknown } | null> } }, communeId: string, platform: string): Promise<ResidentTexts> {
  return residentTextsFor(voiceFor(await tx.commune.findUnique({ where: { id: communeId }, select: { settings: true } }), platform));
}
