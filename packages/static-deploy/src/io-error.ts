/** A short, secret-free description of a file system error (`permission denied`, ...). */
export function describeIoError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "not a directory";
    case "ENOSPC":
      return "no space left on device";
    case "EROFS":
      return "read-only file system";
    case "ELOOP":
      return "too many levels of symbolic links";
    default:
      return typeof code === "string"
        ? code
        : error instanceof Error
          ? error.message
          : String(error);
  }
}
