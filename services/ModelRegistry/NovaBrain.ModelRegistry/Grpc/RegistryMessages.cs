using Google.Protobuf.WellKnownTypes;
using NovaBrain.ModelRegistry.Apis;
using NovaBrain.ModelRegistry.Lineage;
using DomainMetadata = NovaBrain.ModelRegistry.Versions.VersionMetadata;
using DomainSignature = NovaBrain.ModelRegistry.Validation.ModelSignature;
using DomainTensorSpec = NovaBrain.ModelRegistry.Validation.TensorSpec;

namespace NovaBrain.ModelRegistry.Grpc;

/// <summary>The REST API's requests and answers as the proto messages that mirror them, field for field.</summary>
internal static class RegistryMessages
{
    public static RegisteredModel ToMessage(this RegisteredModelResponse model)
    {
        var message = new RegisteredModel
        {
            Id = model.Id.ToString(),
            Name = model.Name,
            Owner = model.Owner,
            RequireApproval = model.RequireApproval,
            AllowMultipleProduction = model.AllowMultipleProduction,
            LatestVersion = model.LatestVersion,
            CreatedAt = Timestamp.FromDateTimeOffset(model.CreatedAt),
        };
        if (model.Description is not null)
        {
            message.Description = model.Description;
        }
        message.Tags.Add(model.Tags.ToDictionary());
        return message;
    }

    public static ModelVersion ToMessage(this ModelVersionResponse version)
    {
        var message = new ModelVersion
        {
            Model = version.Model,
            Version = version.Version,
            Format = version.Format,
            Artifact = version.Artifact.ToMessage(),
            Signature = version.Signature.ToMessage(),
            Validation = new VersionValidation { Status = version.Validation.Status },
            Stage = version.Stage,
            Lineage = version.Lineage.ToMessage(),
            CreatedBy = version.CreatedBy,
            CreatedAt = Timestamp.FromDateTimeOffset(version.CreatedAt),
        };
        if (version.Description is not null)
        {
            message.Description = version.Description;
        }
        message.Validation.Reasons.AddRange(version.Validation.Reasons);
        if (version.Validation.Opset is { } opset)
        {
            message.Validation.Opset = opset;
        }
        if (version.Validation.ExecutionProvider is not null)
        {
            message.Validation.ExecutionProvider = version.Validation.ExecutionProvider;
        }
        message.Aliases.AddRange(version.Aliases);
        message.Tags.Add(version.Tags.ToDictionary());
        message.Metrics.Add(version.Metrics.ToDictionary());
        message.Params.Add(version.Params.ToDictionary());
        return message;
    }

    public static ResolvedReference ToMessage(this Apis.ResolvedReference resolved)
    {
        var message = new ResolvedReference
        {
            Reference = resolved.Reference,
            Model = resolved.Model,
            Version = resolved.Version,
            Format = resolved.Format,
            Artifact = resolved.Artifact.ToMessage(),
            Stage = resolved.Stage,
            Signature = resolved.Signature.ToMessage(),
        };
        message.Aliases.AddRange(resolved.Aliases);
        return message;
    }

    public static StageChange ToMessage(this StageChangeResponse change)
    {
        var message = new StageChange { Version = change.Version.ToMessage() };
        message.Transitions.AddRange(change.Transitions.Select(ToMessage));
        return message;
    }

    public static Transition ToMessage(this TransitionResponse transition)
    {
        var message = new Transition
        {
            Id = transition.Id,
            Kind = transition.Kind,
            Action = transition.Action,
            ChangedBy = transition.ChangedBy,
            ChangedAt = Timestamp.FromDateTimeOffset(transition.ChangedAt),
        };
        if (transition.Version is { } version)
        {
            message.Version = version;
        }
        if (transition.FromStage is not null)
        {
            message.FromStage = transition.FromStage;
        }
        if (transition.ToStage is not null)
        {
            message.ToStage = transition.ToStage;
        }
        if (transition.Alias is not null)
        {
            message.Alias = transition.Alias;
        }
        if (transition.FromVersion is { } fromVersion)
        {
            message.FromVersion = fromVersion;
        }
        if (transition.ToVersion is { } toVersion)
        {
            message.ToVersion = toVersion;
        }
        if (transition.Reason is not null)
        {
            message.Reason = transition.Reason;
        }
        if (transition.ApprovedBy is not null)
        {
            message.ApprovedBy = transition.ApprovedBy;
        }
        return message;
    }

    public static Approval ToMessage(this ApprovalResponse approval)
    {
        var message = new Approval
        {
            Id = approval.Id.ToString(),
            Model = approval.Model,
            Version = approval.Version,
            ToStage = approval.ToStage,
            ArchiveExisting = approval.ArchiveExisting,
            Status = approval.Status,
            RequestedBy = approval.RequestedBy,
            RequestedAt = Timestamp.FromDateTimeOffset(approval.RequestedAt),
            DecidedAt = approval.DecidedAt is { } decidedAt ? Timestamp.FromDateTimeOffset(decidedAt) : null,
        };
        if (approval.Reason is not null)
        {
            message.Reason = approval.Reason;
        }
        if (approval.DecidedBy is not null)
        {
            message.DecidedBy = approval.DecidedBy;
        }
        if (approval.Comment is not null)
        {
            message.Comment = approval.Comment;
        }
        return message;
    }

    public static Alias ToMessage(this AliasResponse alias) => new()
    {
        Model = alias.Model,
        Alias_ = alias.Alias,
        Version = alias.Version,
        UpdatedAt = Timestamp.FromDateTimeOffset(alias.UpdatedAt),
    };

    public static LineageGraph ToMessage(this Lineage.LineageGraph graph)
    {
        var message = new LineageGraph { Root = graph.Root, Direction = graph.Direction, Depth = graph.Depth };
        message.Nodes.AddRange(graph.Nodes.Select(node => new LineageNode { Id = node.Id, Kind = node.Kind }));
        message.Edges.AddRange(graph.Edges.Select(edge => new LineageEdge { From = edge.From, To = edge.To, Kind = edge.Kind }));
        return message;
    }

    /// <summary>The registration header's metadata as the REST API's metadata part would carry it.</summary>
    public static DomainMetadata ToDomain(this VersionMetadata? metadata) => metadata is null
        ? new DomainMetadata(Format: null)
        : new DomainMetadata(
            metadata.Format is { Length: > 0 } format ? format : null,
            metadata.HasDescription ? metadata.Description : null,
            new Dictionary<string, string>(metadata.Tags),
            new Dictionary<string, double>(metadata.Metrics),
            new Dictionary<string, string>(metadata.Params),
            metadata.Lineage is { } lineage
                ? new LineageMetadata(
                    [.. lineage.Datasets], [.. lineage.ParameterSets], [.. lineage.Parents],
                    lineage.HasTrainingJob ? lineage.TrainingJob : null,
                    lineage.HasTemplate ? lineage.Template : null)
                : null,
            metadata.Signature is { } signature
                ? new DomainSignature(signature.Inputs.Select(ToDomain).ToArray(), signature.Outputs.Select(ToDomain).ToArray())
                : null);

    private static Artifact ToMessage(this ArtifactResponse artifact) => new() { Digest = artifact.Digest, SizeBytes = artifact.SizeBytes };

    private static Signature ToMessage(this DomainSignature signature)
    {
        var message = new Signature();
        message.Inputs.AddRange(signature.Inputs.Select(ToMessage));
        message.Outputs.AddRange(signature.Outputs.Select(ToMessage));
        return message;
    }

    private static TensorSpec ToMessage(DomainTensorSpec spec)
    {
        var message = new TensorSpec { Name = spec.Name, Datatype = spec.Datatype };
        message.Shape.AddRange(spec.Shape);
        return message;
    }

    private static DomainTensorSpec ToDomain(TensorSpec spec) => new(spec.Name, spec.Datatype, [.. spec.Shape]);

    private static VersionLineage ToMessage(this LineageMetadata lineage)
    {
        var message = new VersionLineage();
        message.Datasets.AddRange(lineage.Datasets ?? []);
        message.ParameterSets.AddRange(lineage.ParameterSets ?? []);
        message.Parents.AddRange(lineage.Parents ?? []);
        if (lineage.TrainingJob is not null)
        {
            message.TrainingJob = lineage.TrainingJob;
        }
        if (lineage.Template is not null)
        {
            message.Template = lineage.Template;
        }
        return message;
    }
}
