import XCTest
@testable import CallKitEngine

final class LayoutTests: XCTestCase {
    func testLibraryReportsTheHeadersEngineLayout() throws {
        let layout = try XCTUnwrap(engineLayout())
        XCTAssertEqual(layout.size, 4096)
        XCTAssertEqual(layout.alignment, 8)
    }
}
