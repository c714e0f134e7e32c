import CCairo
import Foundation

/// Draws a `HandOverCard` with cairo: an A6 PDF page, or a PNG label 62 mm wide at 300 dpi for label printers.
public enum CardDrawing {
    /// Why a card could not be drawn or written.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// One sentence naming the file.
        public var description: String
    }

    /// Points per millimetre (PDF and cairo user units are 1/72 inch).
    static let pointsPerMillimetre = 72.0 / 25.4

    /// Writes the card as a one-page A6 PDF (105 × 148 mm) at `path`; content taller than the page is scaled down.
    public static func writePDF(_ card: HandOverCard, to path: String) throws(Failure) {
        let width = 105 * pointsPerMillimetre, height = 148 * pointsPerMillimetre
        let margin = 8 * pointsPerMillimetre
        let qr = try symbol(card)
        let needed = measure(card, qr: qr, width: width - 2 * margin, style: .page)
        guard let surface = cairo_pdf_surface_create(path, width, height) else { throw Failure(description: "\(path): cannot be created") }
        defer { cairo_surface_destroy(surface) }
        try check(surface, path)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, card.title)
        guard let context = cairo_create(surface) else { throw Failure(description: "\(path): cannot be drawn") }
        defer { cairo_destroy(context) }
        let scale = min(1, (height - 2 * margin) / needed)
        cairo_translate(context, margin, margin)
        cairo_scale(context, scale, scale)
        _ = layout(card, qr: qr, context: context, width: (width - 2 * margin) / scale, style: .page, draw: true)
        cairo_show_page(context)
        cairo_surface_finish(surface)
        try check(surface, path)
    }

    /// Writes the card as a PNG label 62 mm wide at 300 dpi (732 pixels), as tall as its content.
    public static func writePNG(_ card: HandOverCard, to path: String) throws(Failure) {
        let dotsPerPoint = 300.0 / 72.0
        let width = 62 * pointsPerMillimetre, margin = 3 * pointsPerMillimetre
        let qr = try symbol(card)
        let contentHeight = measure(card, qr: qr, width: width - 2 * margin, style: .label)
        let pixelsWide = Int32((width * dotsPerPoint).rounded(.down))
        let pixelsHigh = Int32(((contentHeight + 2 * margin) * dotsPerPoint).rounded(.up))
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixelsWide, pixelsHigh) else {
            throw Failure(description: "\(path): cannot allocate the image")
        }
        defer { cairo_surface_destroy(surface) }
        try check(surface, path)
        guard let context = cairo_create(surface) else { throw Failure(description: "\(path): cannot be drawn") }
        defer { cairo_destroy(context) }
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        cairo_scale(context, dotsPerPoint, dotsPerPoint)
        cairo_translate(context, margin, margin)
        _ = layout(card, qr: qr, context: context, width: width - 2 * margin, style: .label, draw: true)
        cairo_surface_flush(surface)
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw Failure(description: "\(path): cannot be written (\(String(cString: cairo_status_to_string(status))))")
        }
    }

    /// Sizes for a page (A6) or a narrow label.
    enum Style {
        case page, label

        var titleSize: Double { self == .page ? 15 : 11 }
        var bigSize: Double { self == .page ? 20 : 15 }
        var labelSize: Double { self == .page ? 8.5 : 7 }
        var bodySize: Double { self == .page ? 8.5 : 7 }
        var qrSide: Double { self == .page ? 125 : 120 }
        var gap: Double { self == .page ? 6 : 4 }
    }

    private static func symbol(_ card: HandOverCard) throws(Failure) -> QRSymbol? {
        guard let payload = card.qrPayload else { return nil }
        do {
            return try QRSymbol(encoding: Array(payload.utf8))
        } catch {
            throw Failure(description: "the Wi-Fi name and key are too long for a QR code (\(error.bytes) bytes)")
        }
    }

    private static func check(_ surface: OpaquePointer, _ path: String) throws(Failure) {
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw Failure(description: "\(path): \(String(cString: cairo_status_to_string(status)))")
        }
    }

    /// The height the card takes at `width`, measured on a scratch surface.
    static func measure(_ card: HandOverCard, qr: QRSymbol?, width: Double, style: Style) -> Double {
        guard let scratch = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1) else { return 0 }
        defer { cairo_surface_destroy(scratch) }
        guard let context = cairo_create(scratch) else { return 0 }
        defer { cairo_destroy(context) }
        return layout(card, qr: qr, context: context, width: width, style: style, draw: false)
    }

    /// Lays the card out from the top at `width`, drawing when `draw`; returns the height used.
    static func layout(_ card: HandOverCard, qr: QRSymbol?, context: OpaquePointer, width: Double, style: Style,
                       draw: Bool) -> Double {
        var pen = TextPen(context: context, width: width, draw: draw)
        cairo_set_source_rgb(context, 0, 0, 0)
        pen.paragraph(card.title, size: style.titleSize, bold: true)
        if let organisation = card.organisation { pen.paragraph(organisation, size: style.bodySize) }
        pen.space(style.gap)
        if let ssid = card.ssid {
            pen.paragraph(card.ssidLabel, size: style.labelSize)
            pen.fitted(ssid, size: style.bigSize, monospaced: true)
            pen.space(style.gap / 2)
        }
        if let key = card.groupedKey {
            pen.paragraph(card.keyLabel, size: style.labelSize)
            pen.fitted(key, size: style.bigSize, monospaced: true)
        }
        if let qr {
            pen.space(style.gap)
            let side = min(style.qrSide, width)
            if draw { drawQR(qr, context: context, x: (width - side) / 2, y: pen.y, side: side) }
            pen.y += side
            pen.paragraph(card.scanHint, size: style.labelSize)
        }
        pen.space(style.gap)
        for line in card.lines {
            pen.paragraph(line.label, size: style.labelSize, bold: true)
            for part in line.value.split(separator: "\n", omittingEmptySubsequences: false) {
                pen.paragraph(String(part), size: style.bodySize)
            }
            pen.space(style.gap / 3)
        }
        pen.space(style.gap / 2)
        pen.paragraph(card.footer, size: style.labelSize, bold: true)
        return pen.y
    }

    /// Draws the symbol with its 4-module quiet zone in a `side`-point square, modules unblurred.
    private static func drawQR(_ qr: QRSymbol, context: OpaquePointer, x: Double, y: Double, side: Double) {
        let modulesAcross = Double(qr.size + 8)
        let module = side / modulesAcross
        cairo_save(context)
        cairo_set_antialias(context, CAIRO_ANTIALIAS_NONE)
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_rectangle(context, x, y, side, side)
        cairo_fill(context)
        cairo_set_source_rgb(context, 0, 0, 0)
        for row in 0..<qr.size {
            for column in 0..<qr.size where qr.isDark(row: row, column: column) {
                cairo_rectangle(context, x + Double(column + 4) * module, y + Double(row + 4) * module, module, module)
            }
        }
        cairo_fill(context)
        cairo_restore(context)
    }
}

/// Writes lines of text down the card: wraps words to the width, or shrinks one line until it fits.
struct TextPen {
    let context: OpaquePointer
    let width: Double
    let draw: Bool
    /// The top of the next line.
    var y = 0.0

    mutating func space(_ points: Double) { y += points }

    /// A paragraph wrapped at word boundaries (a word wider than the line is broken where it must be).
    mutating func paragraph(_ text: String, size: Double, bold: Bool = false) {
        font(size: size, bold: bold, monospaced: false)
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if advance(candidate) <= width || line.isEmpty {
                line = candidate
            } else {
                show(line, size: size)
                line = String(word)
            }
        }
        show(line, size: size)
    }

    /// One line in large type, made smaller until it fits the width (never below 6 points).
    mutating func fitted(_ text: String, size: Double, monospaced: Bool) {
        var current = size
        font(size: current, bold: true, monospaced: monospaced)
        while advance(text) > width, current > 6 {
            current -= 0.5
            font(size: current, bold: true, monospaced: monospaced)
        }
        show(text, size: current)
    }

    private func font(size: Double, bold: Bool, monospaced: Bool) {
        cairo_select_font_face(context, monospaced ? "DejaVu Sans Mono" : "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    private func advance(_ text: String) -> Double {
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        return extents.x_advance
    }

    private mutating func show(_ text: String, size: Double) {
        let lineHeight = size * 1.3
        if draw {
            cairo_move_to(context, 0, y + size)
            cairo_show_text(context, text)
        }
        y += lineHeight
    }
}
