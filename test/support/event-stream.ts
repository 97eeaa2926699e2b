// Reads a server-sent event stream in the background, handing each event's JSON data to `onEvent`
// until the stream ends or its request is aborted (the usual end of a test).
export function readEventStream(res: Response, onEvent: (data: unknown) => void): void {
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const data = buf.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
          buf = buf.slice(i + 2);
          if (data) onEvent(JSON.parse(data.slice(6)));
        }
      }
    } catch {
      // aborted
    }
  })();
}
