"""not_orders.py DIR: writes beside the orders in DIR what sits in a real export folder and is
plainly no order: a README, the lock file Word or Excel keeps while a workbook is open
(~$name.xlsx, the user's name in its first bytes), a scanned order as PDF and a photo as PNG.
The PDF and PNG are complete, valid files made with the standard library."""
import os
import struct
import sys
import zlib

d = sys.argv[1]
with open(os.path.join(d, "README.txt"), "w") as f:
    f.write("Orders exported from the ERP every night. Questions: order desk, ext. 214.\n")
with open(os.path.join(d, "~$open-orders.xlsx"), "wb") as f:
    f.write(bytes([11]) + b"order desk".ljust(53, b" ") + b"\x00" * 108)

objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
           b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
           b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
pdf = bytearray(b"%PDF-1.4\n")
offsets = []
for i, body in enumerate(objects, 1):
    offsets.append(len(pdf))
    pdf += b"%d 0 obj\n" % i + body + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
for o in offsets:
    pdf += b"%010d 00000 n \n" % o
pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
with open(os.path.join(d, "scanned-order.pdf"), "wb") as f:
    f.write(pdf)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


rows = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
with open(os.path.join(d, "photo.png"), "wb") as f:
    f.write(png)
