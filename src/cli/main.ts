// `loaxa <command>`: one entry point for every process role and admin task.
import { Command } from 'commander';
import { loadSettings } from '../config/settings.ts';
import { createLogger } from '../logger.ts';
import { isOperatorError } from '../processes/operator-error.ts';
import { runRoles, type Role } from '../processes/run-roles.ts';
import { runMigrate } from './migrate-command.ts';
import { runSeedDemo } from './seed-demo-command.ts';
import { runDoctor } from './doctor-command.ts';
import { runClassify } from './classify-command.ts';
import { runLinkStaff } from './link-staff-command.ts';
import { runCommuneAdd } from './commune-command.ts';
import { runRadioSim } from './radio-sim-command.ts';
import { runZaloAdminGroup, runZaloGroups, runZaloLogin } from './zalo-command.ts';
import { runChannelsAdd, runChannelsAdminChat, runChannelsList, runChannelsRemove } from './channels-command.ts';

function settingsAndLogger() {
  const settings = loadSettings();
  const log = createLogger(settings.LOG_LEVEL);
  return { settings, log };
}

async function guarded(fn: () => Promise<number | void>): Promise<void> {
  try {
    const code = await fn();
    // The outer call (parsing) returns nothing and must not reset a command's exit code.
    if (typeof code === 'number') process.exitCode = code;
  } catch (e) {
    if (isOperatorError(e)) {
      // One line the operator can act on; a stack trace would only hide it.
      process.stderr.write(`${(e as Error).message}\n`);
    } else {
      process.stderr.write(`Lỗi không mong đợi: ${(e as Error)?.stack ?? String(e)}\n`);
    }
    process.exit(1);
  }
}

const roleCommand = (roles: Role[]) => () =>
  guarded(async () => {
    const { settings, log } = settingsAndLogger();
    await runRoles(roles, settings, log);
  });

const program = new Command()
  .name('loaxa')
  .description('Loa Xã — truyền thanh thông minh và tiếp nhận phản ánh, kiến nghị của người dân')
  .showHelpAfterError();

program.command('start').description('chạy tất cả trong một tiến trình: web, bot, bộ lập lịch và worker').action(roleCommand(['web', 'bots', 'worker']));
program.command('web').description('chạy máy chủ web (trang quản trị, web chat, API)').action(roleCommand(['web']));
program.command('bots').description('chạy các kênh nhắn tin (Telegram, Zalo)').action(roleCommand(['bots']));
program.command('worker').description('chạy worker xử lý hàng đợi (có thể chạy nhiều bản)').action(roleCommand(['worker']));
program
  .command('migrate')
  .description('áp dụng các migration cơ sở dữ liệu còn thiếu')
  .action(() => guarded(() => runMigrate(settingsAndLogger())));
program
  .command('seed-demo')
  .description('tạo tỉnh mẫu với ba xã (thôn, cán bộ, lĩnh vực, nhóm, cụm loa, một quý phản ánh và bản tin) nếu chưa có')
  .action(() => guarded(() => runSeedDemo(settingsAndLogger())));
program
  .command('doctor')
  .description('kiểm tra cơ sở dữ liệu, Redis, ffmpeg, giọng đọc và các kênh đang dùng')
  .action(() => guarded(() => runDoctor(settingsAndLogger())));

program
  .command('link-staff')
  .description('liên kết tài khoản Telegram/Zalo với cán bộ (chạy được cả khi hệ thống đang chạy); chỉ ghi tên đăng nhập để tạo mã /lienket dùng một lần')
  .argument('<username>', 'tên đăng nhập của cán bộ')
  .argument('[platform]', 'telegram hoặc zalo')
  .argument('[user-id]', 'mã tài khoản (bot báo mã này khi từ chối cán bộ chưa liên kết)')
  .option('--unlink', 'bỏ liên kết')
  .action((username: string, platform: string | undefined, userId: string | undefined, o: { unlink?: boolean }) =>
    guarded(() => runLinkStaff({ ...settingsAndLogger(), username, platform, userId, unlink: o.unlink ?? false })),
  );

const commune = program.command('commune').description('quản lý các xã của cài đặt');
commune
  .command('add')
  .description('thêm một xã với danh sách thôn (kèm tên khác) và cán bộ (CSV); tất cả hoặc không gì cả')
  .argument('<code>', 'mã xã, ví dụ an-son')
  .argument('<name>', 'tên xã, ví dụ "Xã An Sơn"')
  .requiredOption('--villages <file>', 'tệp thôn: mỗi dòng "tên thôn, tên khác; tên khác"')
  .option('--staff <file>', 'tệp CSV cán bộ: tên đăng nhập, họ tên, vai trò (admin;editor…), chức vụ, điện thoại, trưởng')
  .option('--prefix <letters>', 'tiền tố mã phản ánh (mặc định: chữ đầu tên xã, khác các xã trong tỉnh)')
  .option('--province <code>', 'mã tỉnh mà xã thuộc về, ví dụ demo-tinh')
  .action((code: string, name: string, o: { villages: string; staff?: string; prefix?: string; province?: string }) =>
    guarded(() => runCommuneAdd({ ...settingsAndLogger(), code, name, villages: o.villages, staff: o.staff, prefix: o.prefix, province: o.province })),
  );

const zalo = program.command('zalo').description('kết nối tài khoản Zalo (đăng nhập bằng mã QR, nhóm, nhóm quản trị)');
zalo
  .command('login')
  .description('đăng nhập một tài khoản Zalo bằng mã QR và lưu (mã hóa) thông tin đăng nhập')
  .option('--account <name>', 'tên tài khoản trong Loa Xã', 'zalo-xa')
  .option('--commune <slug>', 'mã xã của tài khoản (cần khi cài đặt có nhiều xã)')
  .action((o: { account: string; commune?: string }) => guarded(() => runZaloLogin({ ...settingsAndLogger(), account: o.account, commune: o.commune })));
zalo
  .command('groups')
  .description('liệt kê các nhóm của tài khoản (mã g:… để chọn nhóm quản trị và nhóm nhận bản tin)')
  .option('--account <name>', 'tên tài khoản trong Loa Xã', 'zalo-xa')
  .action((o: { account: string }) => guarded(() => runZaloGroups({ ...settingsAndLogger(), account: o.account })));
zalo
  .command('admin-group')
  .description('chọn nhóm Zalo làm nhóm quản trị, nơi cán bộ trả lời phiếu')
  .argument('<chat-id>', 'mã nhóm dạng g:123… (xem "loaxa zalo groups")')
  .option('--account <name>', 'tên tài khoản trong Loa Xã', 'zalo-xa')
  .action((chatId: string, o: { account: string }) => guarded(() => runZaloAdminGroup({ ...settingsAndLogger(), account: o.account, chatId })));

const channels = program.command('channels').description('bot Telegram và Zalo Bot của từng xã (không cần khởi động lại)');
channels
  .command('add')
  .description('thêm bot của một xã: kiểm tra mã bằng getMe rồi lưu (đã mã hóa)')
  .argument('<platform>', 'telegram hoặc zalo-bot')
  .requiredOption('--commune <slug>', 'mã xã (ví dụ an-binh)')
  .requiredOption('--token <token>', 'mã bot (từ @BotFather hoặc Zalo Bot Manager)')
  .option('--admin-chat <id>', 'mã nhóm quản trị Telegram, ví dụ -1001234567890 (hoặc -1001234567890/5 cho một chủ đề)')
  .action((platform: string, o: { commune: string; token: string; adminChat?: string }) => guarded(() => runChannelsAdd({ ...settingsAndLogger(), platform, commune: o.commune, token: o.token, adminChat: o.adminChat })));
channels
  .command('list')
  .description('liệt kê các bot (mã, xã, nền tảng, tên, nhóm quản trị)')
  .option('--commune <slug>', 'chỉ các bot của xã này')
  .action((o: { commune?: string }) => guarded(() => runChannelsList({ ...settingsAndLogger(), commune: o.commune })));
channels
  .command('remove')
  .description('gỡ một bot (xóa mã bot; phiếu và người dân của bot vẫn giữ)')
  .argument('<account-id>', 'mã bot (xem "loaxa channels list")')
  .action((accountId: string) => guarded(() => runChannelsRemove({ ...settingsAndLogger(), accountId })));
channels
  .command('admin-chat')
  .description('gắn, đổi hoặc bỏ nhóm quản trị của một bot Telegram (không cần khởi động lại)')
  .argument('<account-id>', 'mã bot (xem "loaxa channels list")')
  // An option, not an argument: a group id starts with "-", which would read as an option.
  .option('--chat <id>', 'mã nhóm, ví dụ -1001234567890 (hoặc -1001234567890/5 cho một chủ đề)')
  .option('--clear', 'bỏ nhóm quản trị')
  .action((accountId: string, o: { chat?: string; clear?: boolean }) => guarded(() => runChannelsAdminChat({ ...settingsAndLogger(), accountId, chat: o.chat, clear: o.clear === true })));

program
  .command('radio-sim')
  .description('chạy loa mô phỏng cho các cụm loa dùng giao thức "simulator"')
  .option('--port <port>', 'cổng (0 = tự chọn)', '0')
  .option('--host <host>', 'địa chỉ nghe', '127.0.0.1')
  .action((o: { port: string; host: string }) => guarded(() => runRadioSim({ ...settingsAndLogger(), port: Number(o.port), host: o.host })));

program
  .command('classify')
  .description('phân loại lĩnh vực: đọc JSON lines {"text": …} từ stdin, ghi {"text": …, "category": …}')
  .option('--explain', 'kèm căn cứ: từ khóa của luật và trọng số, đặc trưng mạnh nhất của mô hình, bên nào quyết định')
  .option('--model <file>', 'dùng thêm mô hình của xã: tệp trọng số JSON, hoặc JSON lines {"text", "category"} để huấn luyện')
  .action((o: { explain?: boolean; model?: string }) => guarded(() => runClassify({}, { explain: o.explain === true, ...(o.model ? { modelFile: o.model } : {}) })));

await guarded(async () => {
  await program.parseAsync(process.argv);
});
