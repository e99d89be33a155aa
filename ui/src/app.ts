// What every page receives, and the notification area.
import type { SessionInfo } from './api';

export interface AppContext {
  session: SessionInfo;
  isAdmin: boolean;
  navigate(path: string): void;
  notify(message: string, kind?: 'ok' | 'error'): void;
}

// A page draws itself into `root`; the function it returns (if any) is called when leaving the page.
export type Page = (root: HTMLElement, ctx: AppContext, param?: string) => void | (() => void);
