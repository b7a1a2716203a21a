// A long path shown with its start elided ("…/redwood/color"): the container is right-to-left for
// the ellipsis, the LRM marks keep slashes and punctuation in their left-to-right places.
export function PathText({
  path,
  className,
  testid,
}: {
  path: string;
  className?: string;
  testid?: string;
}) {
  return (
    <div
      className={`path-text${className ? ` ${className}` : ''}`}
      title={path}
      data-testid={testid}
    >
      {`\u200E${path}\u200E`}
    </div>
  );
}
