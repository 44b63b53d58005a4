using NovaBrain.ModelRegistry.Lifecycle;
using NovaBrain.ModelRegistry.Lineage;
using NovaBrain.ModelRegistry.Models;
using NovaBrain.ModelRegistry.Validation;
using NovaBrain.ModelRegistry.Versions;

namespace NovaBrain.ModelRegistry.Apis;

public sealed record RegisteredModelResponse(
    Guid Id,
    string Name,
    string? Description,
    string Owner,
    IReadOnlyDictionary<string, string> Tags,
    bool RequireApproval,
    bool AllowMultipleProduction,
    int LatestVersion,
    DateTimeOffset CreatedAt)
{
    public static RegisteredModelResponse From(RegisteredModel model) => new(
        model.Id, model.Name, model.Description, model.Owner, model.Tags.ToDictionary(t => t.Key, t => t.Value),
        model.RequireApproval, model.AllowMultipleProduction, model.LatestVersion, model.CreatedAt);
}

public sealed record ArtifactResponse(string Digest, long SizeBytes);

public sealed record ValidationResponse(string Status, IReadOnlyList<string> Reasons, long? Opset, string? ExecutionProvider);

public sealed record ModelVersionResponse(
    string Model,
    int Version,
    string Format,
    string? Description,
    ArtifactResponse Artifact,
    ModelSignature Signature,
    ValidationResponse Validation,
    string Stage,
    IReadOnlyList<string> Aliases,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Params,
    LineageMetadata Lineage,
    string CreatedBy,
    DateTimeOffset CreatedAt)
{
    public static ModelVersionResponse From(string model, ModelVersion version, IEnumerable<string> aliases) => new(
        model,
        version.Version,
        version.Format,
        version.Description,
        new ArtifactResponse(version.ArtifactDigest, version.ArtifactSizeBytes),
        version.Signature,
        new ValidationResponse(version.ValidationStatus, version.ValidationReasons, version.Opset, version.ExecutionProvider),
        version.Stage,
        aliases.Order(StringComparer.Ordinal).ToArray(),
        version.Tags.ToDictionary(t => t.Key, t => t.Value),
        version.Metrics.ToDictionary(m => m.Key, m => m.Value),
        version.Params.ToDictionary(p => p.Key, p => p.Value),
        LineageMetadata.From(version.Lineage),
        version.CreatedBy,
        version.CreatedAt);
}

/// <summary>What a reference resolves to: the contract model serving depends on.</summary>
public sealed record ResolvedReference(
    string Reference,
    string Model,
    int Version,
    string Format,
    ArtifactResponse Artifact,
    string Stage,
    IReadOnlyList<string> Aliases,
    ModelSignature Signature);

public sealed record TransitionResponse(
    long Id,
    string Kind,
    string Action,
    int? Version,
    string? FromStage,
    string? ToStage,
    string? Alias,
    int? FromVersion,
    int? ToVersion,
    string? Reason,
    string ChangedBy,
    string? ApprovedBy,
    DateTimeOffset ChangedAt)
{
    public static TransitionResponse From(ModelTransition t) => new(
        t.Id, t.Kind, t.Action, t.Version, t.FromStage, t.ToStage, t.Alias, t.FromVersion, t.ToVersion, t.Reason, t.ChangedBy, t.ApprovedBy, t.ChangedAt);
}

public sealed record ApprovalResponse(
    Guid Id,
    string Model,
    int Version,
    string ToStage,
    bool ArchiveExisting,
    string? Reason,
    string Status,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Comment)
{
    public static ApprovalResponse From(string model, ApprovalRequest r) => new(
        r.Id, model, r.Version, r.ToStage, r.ArchiveExisting, r.Reason, r.Status, r.RequestedBy, r.RequestedAt, r.DecidedBy, r.DecidedAt, r.Comment);
}

/// <summary>The answer to a stage change: the version as it is now and every transition the change recorded.</summary>
public sealed record StageChangeResponse(ModelVersionResponse Version, IReadOnlyList<TransitionResponse> Transitions);

public sealed record AliasResponse(string Model, string Alias, int Version, DateTimeOffset UpdatedAt);
