using Microsoft.AspNetCore.Http.HttpResults;
using NovaBrain.ModelRegistry.References;
using NovaBrain.ModelRegistry.Validation;

namespace NovaBrain.ModelRegistry.Apis;

/// <summary>The registry's refusals, each with a reason of its own (<see cref="NovaBrainProblems"/>).</summary>
internal static class Problems
{
    public static ProblemHttpResult ModelNotFound(string name) => NovaBrainProblems.Result(
        "model-not-found", "No such model", $"There is no registered model '{name}'.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult VersionNotFound(string name, int version) => NovaBrainProblems.Result(
        "version-not-found", "No such version", $"Model '{name}' has no version {version}.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult InvalidVersion(string value) => NovaBrainProblems.Result(
        "invalid-version", "Not a version number", $"'{value}' is not a version number; versions are numbered from 1.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult InvalidStage(string? value) => NovaBrainProblems.Result(
        "invalid-stage", "Not a stage", $"'{value}' is not a stage; the stages are None, Staging, Production and Archived.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult InvalidReference(string? value) => NovaBrainProblems.Result(
        "invalid-model-reference", "Not a model reference",
        $"'{value}' is not a model reference; a reference is {ModelReference.ExpectedForms}.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult ReferenceNotFound(ModelReference reference, string what) => NovaBrainProblems.Result(
        "model-reference-not-found", "The reference points at nothing", $"{reference} resolves to no version: {what}.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult MultipartRequired() => NovaBrainProblems.Result(
        "multipart-required", "A multipart body is required",
        "Register a version with multipart/form-data: the artifact in a part named 'file' and JSON metadata in a part named 'metadata'.",
        StatusCodes.Status400BadRequest);

    public static ProblemHttpResult PartMissing(string part) => NovaBrainProblems.Result(
        "part-missing", $"The '{part}' part is missing",
        $"A version is registered with the artifact in a part named 'file' and JSON metadata in a part named 'metadata'; '{part}' was not sent.",
        StatusCodes.Status400BadRequest);

    public static ProblemHttpResult InvalidMetadata(string detail) => NovaBrainProblems.Result(
        "invalid-metadata", "The metadata part is not valid", detail, StatusCodes.Status400BadRequest);

    public static ProblemHttpResult ArtifactTooLarge(long maxBytes) => NovaBrainProblems.Result(
        "artifact-too-large", "The artifact is too large",
        $"An artifact is at most {maxBytes} bytes (Registry:Artifacts:MaxBytes); nothing was stored.", StatusCodes.Status413PayloadTooLarge);

    public static ProblemHttpResult ArtifactStoreFailed(string detail) => NovaBrainProblems.Result(
        "artifact-store-failed", "The artifact could not be stored",
        $"The parameter service did not take the artifact ({detail}); no version was created, try again.", StatusCodes.Status502BadGateway);

    public static ProblemHttpResult Refused(ValidationRefusal refusal) => NovaBrainProblems.Result(
        refusal.Reason, refusal.Title, $"{refusal.Detail} Nothing was stored.", StatusCodes.Status422UnprocessableEntity);

    public static ProblemHttpResult LineageNotFound(string reference) => NovaBrainProblems.Result(
        "lineage-reference-not-found", "A parent model version does not exist",
        $"The lineage names {reference} as a parent, but there is no such model version.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult StageUnchanged(string name, int version, string stage) => NovaBrainProblems.Result(
        "stage-unchanged", "The version is in that stage already", $"Version {version} of '{name}' is in {stage} already.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult ProductionOccupied(string name, IEnumerable<int> holders) => NovaBrainProblems.Result(
        "production-occupied", "Another version holds Production",
        $"Model '{name}' allows one Production version and version {string.Join(", ", holders)} holds it; send \"archiveExisting\": true to archive it in the same step.",
        StatusCodes.Status409Conflict,
        new Dictionary<string, object?> { ["holders"] = holders.ToArray() });

    public static ProblemHttpResult ArchiveProductionUnconfirmed(string name, int version) => NovaBrainProblems.Result(
        "archive-production-unconfirmed", "Archiving a Production version needs confirmation",
        $"Version {version} of '{name}' is in Production; send \"confirmArchiveProduction\": true to archive it.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult ApprovalNotFound(string name, string id) => NovaBrainProblems.Result(
        "approval-not-found", "No such approval request", $"Model '{name}' has no approval request {id}.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult ApprovalDecided(Guid id, string status) => NovaBrainProblems.Result(
        "approval-decided", "The request was decided already", $"Approval request {id} is {status}.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult SelfApproval() => NovaBrainProblems.Result(
        "self-approval-forbidden", "You cannot approve your own request",
        "A promotion that needs approval is approved by a second person with models:approve, not by the one who asked for it.",
        StatusCodes.Status403Forbidden);

    public static ProblemHttpResult ApprovalPermissionRequired() => NovaBrainProblems.Result(
        "approval-permission-required", "Only an approver may turn approval off",
        "Turning requireApproval off needs models:approve, or promotion could skip the second person.", StatusCodes.Status403Forbidden);

    public static ProblemHttpResult InvalidAlias(string alias) => NovaBrainProblems.Result(
        "invalid-alias", "Not an alias name",
        $"'{alias}' is not an alias: 1 to 64 letters, digits, '_' and '-', starting with a letter.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult AliasNotFound(string name, string alias) => NovaBrainProblems.Result(
        "alias-not-found", "No such alias", $"Model '{name}' has no alias '{alias}'.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult NothingToRollBack(string name, string what) => NovaBrainProblems.Result(
        "nothing-to-roll-back", "Nothing to roll back", $"{what} of '{name}' has no earlier holder to go back to.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult VersionInUse(string name, int version, IReadOnlyList<string> referencedBy) => NovaBrainProblems.Result(
        "version-in-use", "The version is still referenced",
        $"Version {version} of '{name}' cannot be deleted while referenced by: {string.Join("; ", referencedBy)}.",
        StatusCodes.Status409Conflict,
        new Dictionary<string, object?> { ["referencedBy"] = referencedBy });

    public static ProblemHttpResult MultipleProductionHeld(string name, IEnumerable<int> holders) => NovaBrainProblems.Result(
        "multiple-production-held", "Several versions hold Production",
        $"Versions {string.Join(", ", holders)} of '{name}' hold Production; archive all but one before allowing only one.",
        StatusCodes.Status409Conflict);
}
