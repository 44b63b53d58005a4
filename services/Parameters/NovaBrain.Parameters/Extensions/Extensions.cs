using NovaBrain.Parameters.Blobs;

namespace NovaBrain.Parameters.Extensions;

public static class Extensions
{
    /// <summary>The Parameters service's own services: the blob store and its options.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BlobStorageOptions>()
            .BindConfiguration(BlobStorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IBlobStore, LocalFolderBlobStore>();
        return builder;
    }
}
