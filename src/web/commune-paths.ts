// A commune's addresses on the residents' side: its public page and its web chat are both found by
// the commune's code, written into the path the same way, so a link built from one always opens
// the other. Route handlers receive the code back decoded by the router.
export const communeSlug = (code: string): string => encodeURIComponent(code);

/** /cong-khai/<slug>: the commune's public page. */
export const publicBase = (code: string): string => `/cong-khai/${communeSlug(code)}`;

/** /chat/<slug>: the commune's web chat. */
export const chatBase = (code: string): string => `/chat/${communeSlug(code)}`;
