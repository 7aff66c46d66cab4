#:project ../../src/IlgpuCnn/IlgpuCnn.csproj
// Writes a CIFAR-10-shaped Parquet file whose row 3 holds a crafted PNG (e.g. a 30,000×30,000
// bomb from craft.py) among real rows, for tests/robustness/replay.sh:
//   dotnet run tests/robustness/bomb_parquet.cs -- SOURCE.parquet PNG DEST.parquet
using IlgpuCnn.Data;

var rows = CifarParquetReader.ReadRawRows([args[0]], 40);
rows[3] = (File.ReadAllBytes(args[1]), 1);
CifarParquetWriter.Write(args[2], rows, 16);
Console.WriteLine($"wrote {args[2]}: 40 rows, row 3 is {new FileInfo(args[1]).Length:N0} bytes of {args[1]}");
