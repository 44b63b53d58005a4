using System.ComponentModel.DataAnnotations;

namespace NovaBrain.Parameters.Blobs;

/// <summary>Bound from <c>Parameters:Storage</c>.</summary>
public sealed class BlobStorageOptions
{
    public const string SectionName = "Parameters:Storage";

    /// <summary>The store's folder; <c>&lt;content root&gt;/data/blobs</c> when not set.</summary>
    public string? Root { get; set; }

    /// <summary>The largest blob (and resumable upload) accepted, in bytes; 50 GiB by default.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBlobBytes { get; set; } = 50L * 1024 * 1024 * 1024;
}
