namespace NovaBrain.Parameters.Sets;

/// <summary>
/// A named parameter set: its versions are numbered from 1 and never change; <see cref="Current"/> is the version
/// in use, moved only by recorded <see cref="PointerMove"/>s.
/// </summary>
public sealed class ParameterSet
{
    public const int NameMaxLength = 128;

    public required string Name { get; init; }

    /// <summary>The version <c>current</c> points at.</summary>
    public int Current { get; set; }

    /// <summary>The highest version number given out; the next version is <c>Latest + 1</c>.</summary>
    public int Latest { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    /// <summary>PostgreSQL's <c>xmin</c>: two writers that read the same row cannot both save it.</summary>
    public uint RowVersion { get; set; }
}

/// <summary>One immutable version of a parameter set: a stored blob and its format; only its tags may change.</summary>
public sealed class ParameterSetVersion
{
    public const int DescriptionMaxLength = 4000;

    public required string Name { get; init; }

    public int Version { get; init; }

    /// <summary>The blob's digest, <c>sha256:&lt;hex&gt;</c>.</summary>
    public required string Blob { get; init; }

    public long Size { get; init; }

    public required string Format { get; init; }

    public string? Description { get; init; }

    /// <summary>Labels, not content: replaced as a whole.</summary>
    public Dictionary<string, string> Tags { get; set; } = [];

    /// <summary>The version of the same set this one was derived from, if any.</summary>
    public int? SourceVersion { get; init; }

    /// <summary>How the blob's tensors were read (<see cref="Tensors.TensorLayouts"/>) when the version was created.</summary>
    public required string TensorLayout { get; init; }

    /// <summary>The file's own string metadata (safetensors' <c>__metadata__</c>, ONNX's <c>metadata_props</c>).</summary>
    public Dictionary<string, string> FileMetadata { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }
}

/// <summary>One tensor of a version's blob, as read when the version was created.</summary>
public sealed class ParameterTensor
{
    public const int NameMaxLength = 1024;

    public required string SetName { get; init; }

    public int Version { get; init; }

    /// <summary>Where the tensor comes in the file, from 0.</summary>
    public int Position { get; init; }

    public required string Name { get; init; }

    /// <summary><see cref="Tensors.TensorDtypes"/>.</summary>
    public required string Dtype { get; init; }

    public required long[] Shape { get; init; }

    public long ByteSize { get; init; }
}

/// <summary>A move of a set's <c>current</c> pointer: history is only ever appended to.</summary>
public sealed class PointerMove
{
    public long Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Null for the move that made the set's first version current.</summary>
    public int? FromVersion { get; init; }

    public int ToVersion { get; init; }

    /// <summary><see cref="PointerMoveKinds"/>: how the move came about.</summary>
    public required string Kind { get; init; }

    public string? Reason { get; init; }

    public required string MovedBy { get; init; }

    public DateTimeOffset MovedAt { get; init; }
}

public static class PointerMoveKinds
{
    /// <summary>The set's first version became current when it was created.</summary>
    public const string Created = "created";

    /// <summary><c>PUT current</c>.</summary>
    public const string Moved = "moved";

    /// <summary><c>POST rollback</c>.</summary>
    public const string RolledBack = "rolled-back";
}

/// <summary>The formats a version may declare.</summary>
public static class ParameterFormats
{
    public const string Safetensors = "safetensors";
    public const string Onnx = "onnx";

    public static readonly IReadOnlyList<string> All = [Safetensors, Onnx, "torchsharp", "torchscript", "other"];

    public static bool IsKnown(string? format) => format is not null && All.Contains(format, StringComparer.Ordinal);
}
