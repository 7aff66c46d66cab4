#:project ../../src/IlgpuCnn/IlgpuCnn.csproj
// Writes a CIFAR-10-shaped Parquet file of 40 real rows whose row 3 (or each of the given rows)
// holds a crafted PNG (e.g. a 30,000×30,000 bomb from craft.py), for tests/robustness/replay.sh:
//   dotnet run tests/robustness/bomb_parquet.cs -- SOURCE.parquet PNG DEST.parquet [ROW ...]
using IlgpuCnn.Data;

var rows = CifarParquetReader.ReadRawRows([args[0]], 40);
int[] at = args.Length > 3 ? [.. args[3..].Select(int.Parse)] : [3];
foreach (int row in at)
{
    rows[row] = (File.ReadAllBytes(args[1]), 1);
}

CifarParquetWriter.Write(args[2], rows, 16);
Console.WriteLine($"wrote {args[2]}: 40 rows, rows {string.Join(", ", at)} are {new FileInfo(args[1]).Length:N0} bytes of {args[1]}");
