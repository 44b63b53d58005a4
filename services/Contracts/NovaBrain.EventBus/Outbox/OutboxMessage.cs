using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NovaBrain.EventBus.Outbox;

/// <summary>
/// An integration event stored in the publishing service's own database, in the same transaction as
/// the change it describes; the dispatcher publishes it afterwards and records when it did.
/// </summary>
public sealed class OutboxMessage
{
    public Guid EventId { get; set; }

    public required string EventName { get; set; }

    public required string Payload { get; set; }

    /// <summary>The W3C trace of the request that raised the event, continued when it is published.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset? PublishedAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public const string TableName = "OutboxMessages";

    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable(TableName);
        builder.HasKey(message => message.EventId);
        builder.Property(message => message.EventName).HasMaxLength(200);
        builder.Property(message => message.Payload).HasColumnType("jsonb");
        builder.Property(message => message.TraceParent).HasMaxLength(55);
        builder.Property(message => message.LastError).HasMaxLength(2000);
        builder.HasIndex(message => message.OccurredAt).HasFilter("\"PublishedAt\" IS NULL");
    }
}

public static class OutboxModelBuilderExtensions
{
    /// <summary>Adds the outbox table to a service's model; call from <c>OnModelCreating</c>.</summary>
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfiguration(new OutboxMessageConfiguration());
}
