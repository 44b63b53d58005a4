using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NovaBrain.Parameters.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class TensorsAndUploadActivity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "UpdatedAt",
                table: "Uploads",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            // Uploads in progress count as idle since they were started.
            migrationBuilder.Sql("UPDATE \"Uploads\" SET \"UpdatedAt\" = \"CreatedAt\";");

            migrationBuilder.AddColumn<string>(
                name: "FileMetadata",
                table: "ParameterSetVersions",
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<string>(
                name: "TensorLayout",
                table: "ParameterSetVersions",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                // Versions created before tensors were read have none recorded.
                defaultValue: "opaque");

            migrationBuilder.CreateTable(
                name: "ParameterTensors",
                columns: table => new
                {
                    SetName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Dtype = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Shape = table.Column<long[]>(type: "bigint[]", nullable: false),
                    ByteSize = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ParameterTensors", x => new { x.SetName, x.Version, x.Position });
                    table.ForeignKey(
                        name: "FK_ParameterTensors_ParameterSetVersions_SetName_Version",
                        columns: x => new { x.SetName, x.Version },
                        principalTable: "ParameterSetVersions",
                        principalColumns: new[] { "Name", "Version" },
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ParameterTensors");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "Uploads");

            migrationBuilder.DropColumn(
                name: "FileMetadata",
                table: "ParameterSetVersions");

            migrationBuilder.DropColumn(
                name: "TensorLayout",
                table: "ParameterSetVersions");
        }
    }
}
