import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z (zombie), … */
  state: string;
  /** clock ticks after boot: with the pid, tells a process from a later one reusing its pid */
  startTime: number;
}

/**
 * The process table from /proc (Linux), or undefined where there is none (macOS): callers fall
 * back to signal 0. Zombies are listed with state Z: they are exited processes waiting for a
 * parent to reap them, which a container's PID 1 may never do, so "alive" must skip them.
 */
export function readProcessTable(): ProcessEntry[] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const entries: ProcessEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so cut at the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      entries.push({ pid: Number(name), state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: Number(fields[19]) });
    } catch {
      // exited between readdir and read
    }
  }
  return entries;
}

/** True while a live (non-zombie) process is in group `pgid`. */
export function groupAlive(pgid: number): boolean {
  const table = readProcessTable();
  if (table) return table.some((p) => p.pgid === pgid && p.state !== 'Z');
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every live process below `pid` (children, grandchildren, …), including other process groups. */
export function descendantsOf(pid: number, table: ProcessEntry[] = readProcessTable() ?? []): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const found: ProcessEntry[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (child.state !== 'Z') found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}
