/**
 * The live channel, client side: reads a server-sent-event stream and calls `onChange` for
 * each `change` event. Resolves when the stream ends.
 */

export async function readLiveEvents(body: ReadableStream<Uint8Array>, onChange: () => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      // Events are separated by a blank line; only their `event:` field matters here.
      let end = buffered.indexOf('\n\n');
      while (end >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (event.split('\n').some((line) => line === 'event: change')) onChange();
        end = buffered.indexOf('\n\n');
      }
    }
  } finally {
    reader.releaseLock();
  }
}
