import { observeUpstream, upstreamObserver, type UpstreamEvent } from './upstream-events';

const event: UpstreamEvent = { method: 'GET', model: 'companies', outcome: 200, durationMs: 1 };

describe('observeUpstream', () => {
  it('has no observer outside a scope, and the scope ends with the work', async () => {
    expect(upstreamObserver()).toBeUndefined();
    const heard: UpstreamEvent[] = [];
    await observeUpstream(
      (e) => heard.push(e),
      async () => {
        await Promise.resolve();
        upstreamObserver()?.(event);
      },
    );
    expect(heard).toEqual([event]);
    expect(upstreamObserver()).toBeUndefined();
  });

  it('nested scopes add up: the outer observer (an audit count) still hears what the inner one (notifications) hears', async () => {
    const outer: string[] = [];
    const inner: string[] = [];
    await observeUpstream(
      () => outer.push('outer'),
      () =>
        observeUpstream(
          () => inner.push('inner'),
          async () => {
            upstreamObserver()?.(event);
            upstreamObserver()?.(event);
          },
        ),
    );
    expect(outer).toEqual(['outer', 'outer']);
    expect(inner).toEqual(['inner', 'inner']);
  });

  it("one observer's failure does not keep the other from hearing", () => {
    const inner: string[] = [];
    expect(() =>
      observeUpstream(
        () => {
          throw new Error('outer failed');
        },
        () =>
          observeUpstream(
            () => inner.push('inner'),
            () => upstreamObserver()?.(event),
          ),
      ),
    ).toThrow('outer failed');
    expect(inner).toEqual(['inner']);
  });
});
