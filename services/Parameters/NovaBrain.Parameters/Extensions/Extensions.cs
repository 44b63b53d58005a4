using Microsoft.Extensions.DependencyInjection.Extensions;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Optimization;

namespace NovaBrain.Parameters.Extensions;

public static class Extensions
{
    /// <summary>The Parameters service's own services: the blob store and its options, the sweeper of abandoned uploads, and the tensor conversions.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BlobStorageOptions>()
            .BindConfiguration(BlobStorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IBlobStore, LocalFolderBlobStore>();
        builder.Services.AddOptions<UploadSweeperOptions>()
            .BindConfiguration(UploadSweeperOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<UploadSweeper>();
        builder.Services.AddSingleton<ParameterConverter>();
        return builder;
    }
}
