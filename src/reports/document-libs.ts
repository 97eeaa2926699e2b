// exceljs and pdfmake for every report file, loaded on the first export, not at start: together
// they weigh tens of megabytes that most processes (workers, bots, a quiet web) never need. The
// PDFs use pdfmake's Roboto fonts, which carry Vietnamese, and read nothing else.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type ExcelJSModule from 'exceljs';
import type pdfmakeModule from 'pdfmake';

let excel: Promise<typeof ExcelJSModule> | undefined;
let pdf: Promise<typeof pdfmakeModule> | undefined;
export const loadExcel = () => (excel ??= import('exceljs').then((m) => (m as unknown as { default: typeof ExcelJSModule }).default ?? (m as unknown as typeof ExcelJSModule)));
export const loadPdfmake = () => (pdf ??= import('pdfmake').then((m) => (m as unknown as { default: typeof pdfmakeModule }).default ?? (m as unknown as typeof pdfmakeModule)));

export type TDocumentDefinitions = Parameters<typeof pdfmakeModule.createPdf>[0];
export type PdfContent = TDocumentDefinitions['content'];
export type Workbook = InstanceType<typeof ExcelJSModule.Workbook>;

let fontsReady = false;
export function useFonts(pdfmake: typeof pdfmakeModule): void {
  if (fontsReady) return;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
  pdfmake.setFonts({ Roboto: { normal: join(dir, 'Roboto-Regular.ttf'), bold: join(dir, 'Roboto-Medium.ttf'), italics: join(dir, 'Roboto-Italic.ttf'), bolditalics: join(dir, 'Roboto-MediumItalic.ttf') } });
  // The report reads its fonts and nothing else from disk, and nothing from the network.
  pdfmake.setLocalAccessPolicy((p) => p.startsWith(dir));
  pdfmake.setUrlAccessPolicy(() => false);
  fontsReady = true;
}
