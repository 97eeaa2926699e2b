// The shell every residents' page shares (front door, public page): Vietnamese, phone-sized, styles
// inline and nothing else loaded or run, since commune networks are often closed to the internet.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Inline styles only; nothing else may load or run on a residents' page. */
export const RESIDENT_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The public page also has its own search and lookup forms and bulletin audio, from itself only. */
export const PUBLIC_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; media-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A residents' page with a form (the survey form): the same, and the form may post back here. */
export const RESIDENT_FORM_CSP = RESIDENT_PAGE_CSP.replace("form-action 'none'", "form-action 'self'");

/** A whole page: `body` is trusted HTML (escape what it carries), `title` is text. */
export function residentPage(title: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
