using Microsoft.AspNetCore.Http.HttpResults;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Tensors;

namespace NovaBrain.Parameters.Apis;

/// <summary>The parameter service's refusals, each with a reason of its own (<see cref="NovaBrainProblems"/>).</summary>
internal static class Problems
{
    public static ProblemHttpResult InvalidDigest(string value) => NovaBrainProblems.Result(
        "invalid-digest", "Not a digest", $"'{value}' is not a digest; a digest is written {BlobDigest.Format}.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult DigestMismatch(BlobDigest expected, BlobDigest actual) => NovaBrainProblems.Result(
        "digest-mismatch", "The content does not match its digest",
        $"The bytes hash to {actual}, not {expected}; nothing was stored.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult TooLarge(long maxBytes) => NovaBrainProblems.Result(
        "blob-too-large", "The blob is too large",
        $"A blob is at most {maxBytes} bytes (Parameters:Storage:MaxBlobBytes); nothing was stored.", StatusCodes.Status413PayloadTooLarge);

    public static ProblemHttpResult BlobNotFound(BlobDigest digest) => NovaBrainProblems.Result(
        "blob-not-found", "No such blob", $"No blob {digest} is stored.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult UploadNotFound(Guid id) => NovaBrainProblems.Result(
        "upload-not-found", "No such upload", $"There is no upload {id} of yours in progress.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult OffsetRequired() => NovaBrainProblems.Result(
        "upload-offset-required", "Upload-Offset is required",
        "A chunk needs an Upload-Offset header: the non-negative offset at which it starts.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult OffsetMismatch(Guid id, long offset) => NovaBrainProblems.Result(
        "upload-offset-mismatch",
        "The chunk does not start at the upload's offset",
        $"Upload {id} holds {offset} bytes, so its next chunk starts at offset {offset} (or another chunk is being written).",
        StatusCodes.Status409Conflict,
        new Dictionary<string, object?> { ["offset"] = offset });

    public static ProblemHttpResult UploadBusy(Guid id, long offset) => NovaBrainProblems.Result(
        "upload-busy", "A chunk is still being written",
        $"Upload {id} is receiving a chunk (it holds {offset} bytes so far); finish it once that chunk is confirmed. Nothing was stored.",
        StatusCodes.Status409Conflict,
        new Dictionary<string, object?> { ["offset"] = offset });

    public static ProblemHttpResult DigestRequired() => NovaBrainProblems.Result(
        "digest-required", "A digest is required",
        $"Finishing an upload needs ?digest={BlobDigest.Format}, unless one was given when the upload was started.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult DigestConflict(string announced, BlobDigest given) => NovaBrainProblems.Result(
        "digest-conflict", "The digest differs from the announced one",
        $"The upload was started for {announced}, not {given}.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult UnknownBlob(BlobDigest digest) => NovaBrainProblems.Result(
        "blob-not-found", "No such blob", $"No blob {digest} is stored; store it first, then create the version.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult SetNotFound(string name) => NovaBrainProblems.Result(
        "set-not-found", "No such parameter set", $"There is no parameter set '{name}'.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult VersionNotFound(string name, int version) => NovaBrainProblems.Result(
        "version-not-found", "No such version", $"Parameter set '{name}' has no version {version}.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult TensorNotFound(string name, int version, string tensor) => NovaBrainProblems.Result(
        "tensor-not-found", "No such tensor", $"Version {version} of '{name}' has no tensor '{tensor}'.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult UnknownVersion(string name, int version) => NovaBrainProblems.Result(
        "version-not-found", "No such version", $"Parameter set '{name}' has no version {version} to point at.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult AlreadyCurrent(string name, int version) => NovaBrainProblems.Result(
        "already-current", "The version is current already", $"Version {version} is already current in '{name}'; nothing moved.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult NothingToRollBack(string name) => NovaBrainProblems.Result(
        "nothing-to-roll-back", "Nothing to roll back",
        $"'current' in '{name}' has never moved from one version to another; name the version to roll back to.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult InvalidTensorFile(InvalidTensorFileException invalid) => NovaBrainProblems.Result(
        $"invalid-{invalid.Format}", $"The blob is not a valid {invalid.Format} file",
        $"{invalid.Message} Nothing was created.", StatusCodes.Status422UnprocessableEntity);

    public static ProblemHttpResult ConversionRefused(Optimization.ConversionRefusedException refused) => NovaBrainProblems.Result(
        refused.Reason, "The version cannot be converted so", $"{refused.Message} Nothing was created.", StatusCodes.Status422UnprocessableEntity);

    public static ProblemHttpResult SetBusy(string name) => NovaBrainProblems.Result(
        "set-busy", "The parameter set is busy",
        $"Other changes to '{name}' kept winning; nothing was changed, try again.", StatusCodes.Status409Conflict);
}
