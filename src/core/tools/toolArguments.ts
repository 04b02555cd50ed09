// Reading a call's JSON arguments. The model usually follows the schema, but not always: every
// mistake gets a message that names the argument and says what was expected, so the next try
// can fix it.

import { resolveWorkspacePath } from '../workspace.ts';
import { errorText } from './toolOutput.ts';

export type ToolArgs = Readonly<Record<string, unknown>>;

/** A call whose arguments cannot be used; its message is meant for the model. */
export class ToolArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolArgumentError';
  }
}

/** Parses the arguments string; an empty string is an empty object (some models send ""). */
export function parseToolArguments(raw: string): ToolArgs {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ToolArgumentError(`the arguments are not valid JSON (${errorText(error)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ToolArgumentError('the arguments must be a JSON object');
  return parsed as ToolArgs;
}

/** Refuses arguments the tool does not know: silently ignoring one (a misspelt "offest") would
 *  hide the model's mistake behind a result it did not ask for. */
export function refuseUnknownArguments(args: ToolArgs, known: readonly string[]): void {
  const unknown = Object.keys(args).filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  const accepted = known.length === 0 ? 'it takes no arguments' : `it accepts ${known.map((n) => `"${n}"`).join(', ')}`;
  throw new ToolArgumentError(`unknown argument${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')}: ${accepted}`);
}

const isAbsent = (value: unknown) => value === undefined || value === null;

export function requiredString(args: ToolArgs, name: string): string {
  const value = args[name];
  if (isAbsent(value)) throw new ToolArgumentError(`missing required argument "${name}"`);
  if (typeof value !== 'string') throw new ToolArgumentError(`argument "${name}" must be a string`);
  return value;
}

export function optionalString(args: ToolArgs, name: string): string | undefined {
  const value = args[name];
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw new ToolArgumentError(`argument "${name}" must be a string`);
  return value;
}

export function optionalBoolean(args: ToolArgs, name: string): boolean | undefined {
  const value = args[name];
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw new ToolArgumentError(`argument "${name}" must be true or false`);
  return value;
}

/** An integer, clamped into [min, max]: a model asking for 50 levels gets the most there is
 *  rather than an error and another round trip. Digit strings ("20") are taken as numbers. */
export function optionalInteger(args: ToolArgs, name: string, range: { min: number; max: number }): number | undefined {
  const raw = args[name];
  if (isAbsent(raw)) return undefined;
  const value = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ToolArgumentError(`argument "${name}" must be an integer`);
  return Math.min(range.max, Math.max(range.min, value));
}

/** A workspace-relative path from an argument; refuses one that would leave the workspace
 *  (`..` past the root, a NUL). Absolute paths and backslashes are read as workspace-relative,
 *  as everywhere else in the app (resolveWorkspacePath). */
export function workspacePathArgument(raw: string, name = 'path'): string {
  try {
    return resolveWorkspacePath(raw);
  } catch (error) {
    throw new ToolArgumentError(`argument "${name}": ${errorText(error)}`);
  }
}
