// Where the agent's file tools may reach: the configured workspace directories (the sites'
// `dir`s by default), resolved through every symlink, so neither `..` nor a link can lead out.
import { lstat, realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";

/** A path the agent gave, refused: why, in words the agent can act on. */
export class WorkspaceError extends Error {
  override readonly name = "WorkspaceError";
}

/** The workspace: the roots, and the one check every file tool makes. */
export interface Workspace {
  readonly roots: readonly string[];
  /**
   * The real path of `path` (relative to the first root, or absolute) when it is inside a root;
   * `forWrite` accepts a file that does not exist yet (its directory must) but never a symlink.
   *
   * @throws {WorkspaceError} for a path outside every root, through `..` or a symlink.
   */
  resolve(path: string, forWrite?: boolean): Promise<string>;
}

/** A workspace over these directories (each resolved through its symlinks once). */
export async function createWorkspace(directories: readonly string[]): Promise<Workspace> {
  const roots: string[] = [];
  for (const directory of directories)
    roots.push(await realpath(directory).catch(() => resolve(directory)));
  // Inside a root: the way there from it never goes up (a name such as "..notes" is inside).
  const inside = (path: string) =>
    roots.some((root) => {
      const rel = relative(root, path);
      return rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
    });
  const outside = (path: string) =>
    new WorkspaceError(
      `${path} is outside the workspace (${roots.join(", ")}): the file tools reach only there`,
    );
  return {
    roots,
    async resolve(path, forWrite = false) {
      if (roots.length === 0)
        throw new WorkspaceError("no workspace is configured (agent.workspaces)");
      if (path.includes("\0")) throw new WorkspaceError("a path cannot hold a NUL byte");
      const wanted = isAbsolute(path) ? resolve(path) : resolve(roots[0] as string, path);
      if (!inside(wanted)) throw outside(path);
      const real = await realpath(wanted).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      if (real === undefined) {
        if (!forWrite) throw new WorkspaceError(`${path} does not exist`);
        // A new file: its directory, resolved, must be inside.
        const parent = await realpath(dirname(wanted)).catch(() => {
          throw new WorkspaceError(`the directory of ${path} does not exist`);
        });
        if (!inside(parent)) throw outside(path);
        return resolve(parent, basename(wanted));
      }
      if (!inside(real)) throw outside(path);
      // Writing through a link would change what it points at, wherever that is.
      if (forWrite && (await lstat(wanted)).isSymbolicLink())
        throw new WorkspaceError(`${path} is a symbolic link: write to the file itself`);
      return real;
    },
  };
}
