using Microsoft.AspNetCore.Http.HttpResults;
using NovaBrain.Parameters.Blobs;

namespace NovaBrain.Parameters.Apis;

/// <summary>
/// Problem details whose <c>type</c> names the reason (<c>urn:novabrain:problem:{reason}</c>), so clients can tell
/// one refusal from another without parsing the text.
/// </summary>
internal static class Problems
{
    public static ProblemHttpResult InvalidDigest(string value) => Problem(
        "invalid-digest", "Not a digest", $"'{value}' is not a digest; a digest is written {BlobDigest.Format}.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult DigestMismatch(BlobDigest expected, BlobDigest actual) => Problem(
        "digest-mismatch", "The content does not match its digest",
        $"The bytes hash to {actual}, not {expected}; nothing was stored.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult TooLarge(long maxBytes) => Problem(
        "blob-too-large", "The blob is too large",
        $"A blob is at most {maxBytes} bytes (Parameters:Storage:MaxBlobBytes); nothing was stored.", StatusCodes.Status413PayloadTooLarge);

    public static ProblemHttpResult BlobNotFound(BlobDigest digest) => Problem(
        "blob-not-found", "No such blob", $"No blob {digest} is stored.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult UploadNotFound(Guid id) => Problem(
        "upload-not-found", "No such upload", $"There is no upload {id} of yours in progress.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult OffsetRequired() => Problem(
        "upload-offset-required", "Upload-Offset is required",
        "A chunk needs an Upload-Offset header: the non-negative offset at which it starts.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult OffsetMismatch(Guid id, long offset) => TypedResults.Problem(
        type: Type("upload-offset-mismatch"),
        title: "The chunk does not start at the upload's offset",
        detail: $"Upload {id} holds {offset} bytes, so its next chunk starts at offset {offset} (or another chunk is being written).",
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["offset"] = offset });

    public static ProblemHttpResult DigestRequired() => Problem(
        "digest-required", "A digest is required",
        $"Finishing an upload needs ?digest={BlobDigest.Format}, unless one was given when the upload was started.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult DigestConflict(string announced, BlobDigest given) => Problem(
        "digest-conflict", "The digest differs from the announced one",
        $"The upload was started for {announced}, not {given}.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult UnknownBlob(BlobDigest digest) => Problem(
        "blob-not-found", "No such blob", $"No blob {digest} is stored; store it first, then create the version.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult SetNotFound(string name) => Problem(
        "set-not-found", "No such parameter set", $"There is no parameter set '{name}'.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult VersionNotFound(string name, int version) => Problem(
        "version-not-found", "No such version", $"Parameter set '{name}' has no version {version}.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult UnknownVersion(string name, int version) => Problem(
        "version-not-found", "No such version", $"Parameter set '{name}' has no version {version} to point at.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult AlreadyCurrent(string name, int version) => Problem(
        "already-current", "The version is current already", $"Version {version} is already current in '{name}'; nothing moved.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult NothingToRollBack(string name) => Problem(
        "nothing-to-roll-back", "Nothing to roll back",
        $"'current' in '{name}' has never moved from one version to another; name the version to roll back to.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult SetBusy(string name) => Problem(
        "set-busy", "The parameter set is busy",
        $"Other changes to '{name}' kept winning; nothing was changed, try again.", StatusCodes.Status409Conflict);

    private static ProblemHttpResult Problem(string reason, string title, string detail, int status) =>
        TypedResults.Problem(type: Type(reason), title: title, detail: detail, statusCode: status);

    private static string Type(string reason) => $"urn:novabrain:problem:{reason}";
}
